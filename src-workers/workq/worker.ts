/**
 * A work-queue consumer: takes up to `prefetch` jobs at once from a quorum queue, runs each with
 * the handler, and settles it by what the handler says:
 *   done   -> ack (the handler returns only once the job's outputs are durably on disk);
 *   poison -> the job goes to <queue>.dead with the reason (x-azaion-reason), then ack;
 *   retry  -> after a pause, nack with requeue; the broker counts the delivery (x-delivery-count),
 *             and on the last one allowed (queue.delivery_limit) the job is dead-lettered with the
 *             reason instead. A job whose worker died (kill -9, power cut) comes back to the queue
 *             and counts a delivery too; one that kills every worker ends in the dead queue
 *             by the broker (x-first-death-reason delivery_limit).
 * A message that is not a job (not JSON, a field missing or wrong) is dead-lettered with the reason
 * and the worker goes on. A lost connection (broker restart, network cut: amqplib's heartbeats
 * notice a silent one) is re-established with backoff; jobs in flight finish meanwhile, and as
 * their ack can no longer reach the broker, it redelivers them: the handlers are idempotent, so
 * the second run finds the work done. stop() (SIGTERM) takes no new job, finishes those in flight,
 * settles them and closes.
 */
import { EventEmitter } from "node:events";
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from "amqplib";
import { errorMessage } from "../core/errors.js";
import { BrokerError } from "../queue/broker.js";
import { backoff } from "../queue/liveness.js";
import {
  closeQuietly,
  connectAmqp,
  deadQueueOf,
  declareWorkQueue,
  describeAmqp,
  workerName,
  type AmqpOptions,
} from "./broker.js";
import { decodeJob, type JobKind, type JobOf } from "./jobs.js";

export type JobOutcome =
  | { readonly kind: "done"; readonly note: string }
  | { readonly kind: "poison"; readonly reason: string }
  | { readonly kind: "retry"; readonly reason: string };

export interface JobContext {
  /** 1 on the first delivery; more when an earlier worker failed or died on it. */
  readonly delivery: number;
}

export interface WorkerOptions<K extends JobKind> {
  readonly amqp: AmqpOptions;
  readonly queue: string;
  readonly kind: K;
  readonly prefetch: number;
  /** Longest wait between reconnection attempts and before a failed job is handed back, ms. */
  readonly retryMaxMs: number;
  readonly handle: (job: JobOf<K>, ctx: JobContext) => Promise<JobOutcome>;
}

export interface WorkerEvents {
  connected: [{ readonly broker: string; readonly version: string }];
  started: [{ readonly id: string; readonly delivery: number; readonly job: unknown }];
  finished: [{ readonly id: string; readonly outcome: JobOutcome; readonly ms: number }];
  deadLettered: [{ readonly id: string | null; readonly reason: string }];
  /** A finished job whose ack could not reach the broker: it will be redelivered (and found done). */
  ackLost: [{ readonly id: string; readonly reason: string }];
  reconnecting: [{ readonly attempt: number; readonly delayMs: number; readonly reason: string }];
}

type Listener<E extends keyof WorkerEvents> = (...args: WorkerEvents[E]) => void;

interface Session {
  readonly conn: ChannelModel;
  readonly ch: ConfirmChannel;
  readonly tag: string;
  /** Resolves with the reason when the connection or channel is gone. */
  readonly lost: Promise<string>;
}

export class WorkQueueWorker<K extends JobKind> {
  private readonly events = new EventEmitter();
  private readonly inFlight = new Set<Promise<void>>();
  private session: Session | undefined;
  private stopping = false;
  /** The consumer's cancellation after stop(): once it is confirmed, no delivery can come. */
  private cancelled: Promise<void> = Promise.resolve();
  private markStopped: () => void = () => undefined;
  private readonly stopped = new Promise<string>((r) => (this.markStopped = () => r("stopping")));

  constructor(private readonly opts: WorkerOptions<K>) {}

  on<E extends keyof WorkerEvents>(event: E, listener: Listener<E>): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  private emit<E extends keyof WorkerEvents>(event: E, ...args: WorkerEvents[E]): void {
    this.events.emit(event, ...args);
  }

  get busy(): number {
    return this.inFlight.size;
  }

  /** Take no new job; run() returns once the jobs in flight are settled. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.session) this.cancel(this.session.ch, this.session.tag);
    this.markStopped();
  }

  /** Consume until stop(); throws only for what waiting cannot fix (credentials, queue settings). */
  async run(): Promise<void> {
    let attempt = 0;
    try {
      while (!this.stopping) {
        let reason: string;
        try {
          const s = await this.open();
          attempt = 0;
          reason = await Promise.race([s.lost, this.stopped]);
        } catch (e) {
          if (e instanceof BrokerError && !e.retryable) throw e;
          reason = errorMessage(e);
        }
        if (this.stopping) break;
        await this.drop();
        attempt++;
        const delayMs = backoff(attempt, this.opts.retryMaxMs);
        this.emit("reconnecting", { attempt, delayMs, reason });
        await this.pause(delayMs);
      }
      // A silent broker never confirms; its connection then fails by heartbeat, or we stop waiting.
      await Promise.race([this.cancelled, new Promise((r) => setTimeout(r, 5000).unref())]);
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    } finally {
      await this.drop();
    }
  }

  private async open(): Promise<Session> {
    const { amqp, queue, prefetch } = this.opts;
    const conn = await connectAmqp(amqp, `${this.opts.kind}-worker`);
    let settle: (reason: string) => void = () => undefined;
    const lost = new Promise<string>((r) => (settle = r));
    conn.on("error", (e: Error) => settle(`connection error: ${e.message}`));
    conn.on("close", (e?: Error) => settle(e ? `connection closed: ${e.message}` : "connection closed"));
    try {
      const ch = await conn.createConfirmChannel();
      ch.on("error", (e: Error) => settle(`channel error: ${e.message}`));
      ch.on("close", () => settle("channel closed"));
      await declareWorkQueue(ch, queue, amqp.deliveryLimit);
      await ch.prefetch(prefetch);
      const version = String(conn.connection.serverProperties.version ?? "?");
      this.emit("connected", { broker: describeAmqp(amqp), version });
      const { consumerTag } = await ch.consume(queue, (msg) => this.delivered(ch, msg, settle), {
        noAck: false,
      });
      this.session = { conn, ch, tag: consumerTag, lost };
      // A stop() that came while we subscribed could not cancel what did not exist yet.
      if (this.stopping) this.cancel(ch, consumerTag);
      return this.session;
    } catch (e) {
      await closeQuietly(conn);
      throw e;
    }
  }

  /** Cancel the consumer; `cancelled` settles once the broker confirms (or refuses) it. */
  private cancel(ch: ConfirmChannel, tag: string): void {
    this.cancelled = ch.cancel(tag).then(
      () => undefined,
      () => undefined,
    );
  }

  private async drop(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (!s) return;
    // The channel first, and waiting for its close-ok: acks sent just before a bare connection
    // close are dropped by the broker (measured on 3.10: every one of them), so the jobs would come back.
    await closeQuietly(s.ch);
    await closeQuietly(s.conn);
  }

  /** Wait `ms`, or less when stop() comes first. */
  private async pause(ms: number): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((r) => (t = setTimeout(r, ms))), this.stopped]);
    clearTimeout(t);
  }

  private delivered(ch: ConfirmChannel, msg: ConsumeMessage | null, lost: (reason: string) => void): void {
    if (msg === null) {
      lost("the broker cancelled the consumer (queue deleted?)");
      return;
    }
    const p: Promise<void> = this.settle(ch, msg).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async settle(ch: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
    const counted = Number(msg.properties.headers?.["x-delivery-count"] ?? 0);
    const delivery = (Number.isFinite(counted) ? counted : 0) + 1;
    const decoded = decodeJob(this.opts.kind, msg.content);
    const idOf = typeof msg.properties.messageId === "string" ? msg.properties.messageId : null;
    if (!decoded.ok) {
      await this.deadLetter(ch, msg, decoded.reason, idOf);
      return;
    }
    const { job } = decoded;
    this.emit("started", { id: job.id, delivery, job });
    const t0 = Date.now();
    let outcome: JobOutcome;
    try {
      outcome = await this.opts.handle(job, { delivery });
    } catch (e) {
      outcome = { kind: "retry", reason: errorMessage(e) };
    }
    // The last delivery the queue allows: dead-letter it ourselves, so the reason goes with it.
    if (outcome.kind === "retry" && delivery > this.opts.amqp.deliveryLimit)
      outcome = { kind: "poison", reason: `failed ${delivery} times; last: ${outcome.reason}` };
    this.emit("finished", { id: job.id, outcome, ms: Date.now() - t0 });
    if (outcome.kind === "done") this.ack(ch, msg, job.id);
    else if (outcome.kind === "poison") await this.deadLetter(ch, msg, outcome.reason, job.id);
    else {
      if (!this.stopping) await this.pause(backoff(delivery, this.opts.retryMaxMs));
      try {
        ch.nack(msg, false, true);
      } catch (e) {
        this.emit("ackLost", { id: job.id, reason: errorMessage(e) });
      }
    }
  }

  private ack(ch: ConfirmChannel, msg: ConsumeMessage, id: string): void {
    try {
      ch.ack(msg);
    } catch (e) {
      this.emit("ackLost", { id, reason: errorMessage(e) });
    }
  }

  /** Publish the message to the dead queue with the reason (confirmed), then ack the original. */
  private async deadLetter(ch: ConfirmChannel, msg: ConsumeMessage, reason: string, id: string | null) {
    const p = msg.properties;
    const headers = {
      ...(p.headers ?? {}),
      "x-azaion-reason": reason,
      "x-azaion-queue": this.opts.queue,
      "x-azaion-worker": workerName(),
      "x-azaion-failed-at": new Date().toISOString(),
    };
    try {
      await new Promise<void>((resolve, reject) => {
        ch.sendToQueue(
          deadQueueOf(this.opts.queue),
          msg.content,
          {
            persistent: true,
            headers,
            ...(p.contentType === undefined ? {} : { contentType: p.contentType as string }),
            ...(p.messageId === undefined ? {} : { messageId: p.messageId as string }),
            ...(p.type === undefined ? {} : { type: p.type as string }),
            ...(p.timestamp === undefined ? {} : { timestamp: p.timestamp as number }),
          },
          (err: unknown) =>
            err ? reject(err instanceof Error ? err : new Error("the broker refused it")) : resolve(),
        );
      });
    } catch (e) {
      // Not acked: the broker redelivers it and the next attempt dead-letters it again.
      this.emit("ackLost", { id: id ?? "(no id)", reason: `dead-lettering failed: ${errorMessage(e)}` });
      return;
    }
    this.emit("deadLettered", { id, reason });
    this.ack(ch, msg, id ?? "(no id)");
  }
}
