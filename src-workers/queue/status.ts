/**
 * The queue's bookkeeping under <root>/queue/ and queue/status.json, what the UI (and
 * `azaion queue status`) shows about the running consumer. The status is written atomically, at
 * most once a second plus at every change of state; a failed write (disk full) is retried later.
 */
import { dirname, join } from "node:path";
import { StatusFile } from "../core/status-file.js";

export interface QueuePaths {
  readonly dir: string;
  readonly offset: string;
  readonly quarantine: string;
  readonly status: string;
  readonly lock: string;
}

/** From layout.queueOffset (core/layout.ts), the one place that names the queue folder. */
export function queuePaths(offsetFile: string): QueuePaths {
  const dir = dirname(offsetFile);
  return {
    dir,
    offset: offsetFile,
    quarantine: join(dir, "quarantine"),
    status: join(dir, "status.json"),
    lock: join(dir, "lock"),
  };
}

export type ConsumerState =
  "starting" | "connecting" | "consuming" | "reconnecting" | "paused" | "stopping" | "stopped" | "failed";

export interface QueueStatus {
  state: ConsumerState;
  pid: number;
  broker: string;
  brokerVersion: string | null;
  stream: string;
  startedAt: string;
  updatedAt: string;
  /** Offset of the last message whose files are on disk (null: none yet). */
  offset: number | null;
  /** Messages applied / quarantined by this run. */
  written: number;
  deleted: number;
  quarantined: number;
  /** Messages in queue/quarantine/ now. */
  quarantineTotal: number;
  reconnects: number;
  /** Messages per second over the last RATE_WINDOW_S seconds (core/status-file.ts). */
  messagesPerSecond: number;
  /** Why the consumer waits (paused: disk full; reconnecting: the broker's error). */
  waitingFor: string | null;
  lastError: { reason: string; time: string } | null;
}

/** queue/status.json of the consumer; the rate is messages per second. */
export class QueueStatusWriter extends StatusFile<QueueStatus> {
  constructor(file: string, init: Pick<QueueStatus, "broker" | "stream" | "offset" | "quarantineTotal">) {
    const now = new Date().toISOString();
    const status: QueueStatus = {
      ...init,
      state: "starting",
      pid: process.pid,
      brokerVersion: null,
      startedAt: now,
      updatedAt: now,
      written: 0,
      deleted: 0,
      quarantined: 0,
      reconnects: 0,
      messagesPerSecond: 0,
      waitingFor: null,
      lastError: null,
    };
    super(file, status, (st, rate) => (st.messagesPerSecond = rate));
  }
}
