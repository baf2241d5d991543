/**
 * Keeping a connection honest: a network cut without a FIN leaves the sockets open and silent, and
 * the client's own heartbeat then waits on a Close that never comes. When nothing arrived for a
 * heartbeat period we ask the broker something cheap (stream metadata); no answer within another
 * period and the connection counts as lost. And the backoff between attempts to get it back.
 */
import type { Client } from "rabbitmq-stream-js-client";
import { errorMessage } from "../core/errors.js";

export interface LivenessOptions {
  readonly client: Client;
  readonly stream: string;
  readonly periodMs: number;
  /** When the broker last sent something (a delivery). */
  readonly lastActivity: () => number;
  readonly onAnswer: () => void;
  readonly onLost: (reason: string) => void;
}

/** Start watching; the returned function stops it. */
export function watchLiveness(o: LivenessOptions): () => void {
  let probing = false;
  const timer = setInterval(
    () => {
      if (probing || Date.now() - o.lastActivity() < o.periodMs) return;
      probing = true;
      let t: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        t = setTimeout(
          () => reject(new Error(`the broker did not answer for ${(2 * o.periodMs) / 1000} s`)),
          o.periodMs,
        );
      });
      Promise.race([o.client.queryMetadata({ streams: [o.stream] }), deadline])
        .then(() => o.onAnswer())
        .catch((e: unknown) => o.onLost(errorMessage(e)))
        .finally(() => {
          clearTimeout(t);
          probing = false;
        });
    },
    Math.min(o.periodMs, 5000),
  );
  timer.unref();
  return () => clearInterval(timer);
}

/** First retry after this long; then doubling up to maxMs. */
const FIRST_RETRY_MS = 500;

/** The wait before attempt `attempt` (1, 2, ...), with jitter so that many consumers do not all knock at once. */
export function backoff(attempt: number, maxMs: number): number {
  const base = Math.min(maxMs, FIRST_RETRY_MS * 2 ** Math.min(attempt - 1, 20));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}
