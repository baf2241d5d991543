/**
 * The annotation consumer: reads the stream in order and keeps the data root equal to what the
 * messages say, exactly once on disk over at-least-once delivery.
 *
 * Per message: decode and validate (message.ts), check the image (image-check.ts), apply it
 * (store.ts: files written atomically). Offsets are stored by group commit: after up to
 * COMMIT_EVERY messages, COMMIT_AFTER_MS, or as soon as the stream goes quiet, the group's files
 * and directories are fsynced and then the offset of its last message is stored (offset.ts).
 * A crash redelivers the uncommitted group; replaying it gives the same files and the same
 * quarantine, because a message with an image (or a delete) sets its annotation's state from the
 * message alone. A message without an image depends on the stored picture, i.e. on the state
 * before it: a replay must find that picture as the first run did. So a message that replaces or
 * deletes an annotation which an image-less message of the current group has read commits the
 * group first; within a group, the picture such a message read is never changed afterwards.
 * A message that cannot be applied is quarantined with its offset and reason, and consumption goes
 * on. A file-system error (disk full above all) pauses consumption on that message, keeping the
 * offset, and retries with backoff. A lost connection (broker restart, network cut, silent broker)
 * is re-established with backoff, resuming after the last stored offset.
 *
 * Ordering: the client's default credit policy asks for the next chunk only when every message of
 * the current one was handled (it awaits our handler), so messages arrive strictly one at a time.
 */
import { EventEmitter } from "node:events";
import { mkdir } from "node:fs/promises";
import { Offset, type Client } from "rabbitmq-stream-js-client";
import type { ClassCatalog } from "../core/classes.js";
import { AzaionError, errorMessage } from "../core/errors.js";
import type { DataRootLayout } from "../core/layout.js";
import { BrokerError, connectBroker, describeBroker, destroyClient, type BrokerOptions } from "./broker.js";
import { DirSync, sweepTemporaries } from "./durable.js";
import { checkImage } from "./image-check.js";
import { backoff, watchLiveness } from "./liveness.js";
import { acquirePidLock } from "../core/pid-lock.js";
import { decodeAnnotation, type AnnotationStatus } from "./message.js";
import { readOffset, writeOffset } from "./offset.js";
import { quarantineCount, quarantineMessage } from "./quarantine.js";
import { queuePaths, QueueStatusWriter, type QueuePaths, type QueueStatus } from "./status.js";
import { AnnotationStore, type ApplyOutcome } from "./store.js";

export interface ConsumerOptions {
  readonly broker: BrokerOptions;
  readonly layout: DataRootLayout;
  readonly catalog: ClassCatalog;
  /** Longest wait between reconnection attempts and between retries of a failed write, ms. */
  readonly retryMaxMs: number;
}

export interface ConsumerEvents {
  connected: [{ readonly brokerVersion: string; readonly from: number }];
  received: [{ readonly offset: number; readonly bytes: number }];
  written: [
    {
      readonly offset: number;
      readonly name: string;
      readonly status: AnnotationStatus;
      readonly outcome: ApplyOutcome;
      readonly warnings: readonly string[];
    },
  ];
  quarantined: [{ readonly offset: number; readonly name: string | null; readonly reason: string }];
  reconnecting: [{ readonly attempt: number; readonly delayMs: number; readonly reason: string }];
  paused: [{ readonly offset: number; readonly reason: string; readonly delayMs: number }];
  error: [{ readonly reason: string }];
}

type Listener<K extends keyof ConsumerEvents> = (...args: ConsumerEvents[K]) => void;

/** Group commit: store the offset after this many messages, ... */
const COMMIT_EVERY = 200;
/** ... or when the oldest uncommitted one is this old, ... */
const COMMIT_AFTER_MS = 500;
/** ... or when no message came for this long. */
const COMMIT_WHEN_QUIET_MS = 20;

export class AnnotationConsumer {
  private readonly events = new EventEmitter();
  private readonly paths: QueuePaths;
  private readonly store: AnnotationStore;
  private writer!: QueueStatusWriter;
  private release: (() => Promise<void>) | undefined;
  /** Offset of the last message whose files (and offset) are on disk; -1: none. */
  private committed = -1;
  /** Applied, not yet committed: the last such offset, how many, since when, their directories. */
  private pending = { offset: -1, count: 0, since: 0 };
  private batch = new DirSync();
  /** Names whose stored picture an image-less message of the uncommitted group depended on. */
  private readonly readPicture = new Set<string>();
  private quiet: NodeJS.Timeout | undefined;
  private stopping = false;
  private wake: () => void = () => undefined;
  private lost: ((reason: string) => void) | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  /** Bumped at every (re)connection: a handler of an older subscription does nothing. */
  private generation = 0;
  private lastActivity = Date.now();
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: ConsumerOptions) {
    this.paths = queuePaths(opts.layout.queueOffset);
    this.store = new AnnotationStore(opts.layout);
  }

  on<K extends keyof ConsumerEvents>(event: K, listener: Listener<K>): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof ConsumerEvents>(event: K, listener: Listener<K>): this {
    this.events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  private emit<K extends keyof ConsumerEvents>(event: K, ...args: ConsumerEvents[K]): void {
    this.events.emit(event, ...args);
  }

  get status(): Readonly<QueueStatus> {
    return { ...this.writer.status, messagesPerSecond: this.writer.perSecond() };
  }

  /**
   * Take the lock, read the stored offset, clean up after a crash, then consume in the background
   * until stop(). Rejects when the data root cannot be used (another consumer, a damaged offset file).
   */
  async start(): Promise<void> {
    const { broker } = this.opts;
    this.release = await acquirePidLock(this.paths.lock, "another queue consumer");
    try {
      const stored = await readOffset(this.paths.offset, broker.stream);
      this.committed = stored?.offset ?? -1;
      for (const dir of [...this.store.folders, this.paths.dir, this.paths.quarantine]) {
        await mkdir(dir, { recursive: true });
        await sweepTemporaries(dir);
      }
      this.writer = new QueueStatusWriter(this.paths.status, {
        broker: describeBroker(broker),
        stream: broker.stream,
        offset: stored?.offset ?? null,
        quarantineTotal: await quarantineCount(this.paths.quarantine),
      });
    } catch (e) {
      await this.release();
      throw e;
    }
    this.loop = this.connectionLoop();
  }

  /** Resolves when the consumer has stopped (after stop(), or rejects on a fatal error). */
  async done(): Promise<void> {
    await this.loop;
  }

  /** Finish the message in flight, store its offset, disconnect. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.writer?.update({ state: "stopping" });
      this.wake();
      this.lost?.("stopping");
    }
    await this.loop?.catch(() => undefined);
  }

  private async connectionLoop(): Promise<void> {
    let attempt = 0;
    try {
      while (!this.stopping) {
        let client: Client | undefined;
        let reason: string;
        try {
          this.writer.update({ state: attempt === 0 ? "connecting" : "reconnecting" });
          client = await connectBroker(this.opts.broker);
          reason = await this.consume(client, () => (attempt = 0));
        } catch (e) {
          if (e instanceof BrokerError && !e.retryable) throw e;
          reason = errorMessage(e);
        }
        this.generation++;
        if (client) await destroyClient(client);
        // The old subscription's message in flight finishes and commits before we resubscribe.
        await this.inFlight;
        await this.commitPending().catch((e: unknown) => this.report(`commit: ${errorMessage(e)}`));
        if (this.stopping) break;
        attempt++;
        const delayMs = backoff(attempt, this.opts.retryMaxMs);
        this.writer.update({
          state: "reconnecting",
          reconnects: this.writer.status.reconnects + 1,
          waitingFor: reason,
          lastError: { reason, time: new Date().toISOString() },
        });
        this.emit("reconnecting", { attempt, delayMs, reason });
        await this.sleep(delayMs);
      }
      this.writer.update({ state: "stopped", waitingFor: null });
    } catch (e) {
      const reason = errorMessage(e);
      this.writer.update({ state: "failed", lastError: { reason, time: new Date().toISOString() } });
      throw e;
    } finally {
      clearTimeout(this.quiet);
      await this.writer.flush();
      await this.release?.();
    }
  }

  /** Subscribe after the stored offset and consume until the connection is lost; resolves with why. */
  private async consume(client: Client, connected: () => void): Promise<string> {
    const { stream } = this.opts.broker;
    const [meta] = await client.queryMetadata({ streams: [stream] });
    if (meta === undefined || meta.responseCode !== 1)
      throw new AzaionError(
        `stream "${stream}" does not exist (yet) on ${describeBroker(this.opts.broker)}`,
        "E_BROKER",
      );
    const lost = new Promise<string>((resolve) => (this.lost = resolve));
    const gen = this.generation;
    const from = this.committed + 1;
    await client.declareConsumer(
      {
        stream,
        offset: Offset.offset(BigInt(from)),
        connectionClosedListener: () => this.lost?.("the connection to the broker closed"),
      },
      (msg) => this.handle(gen, msg.offset, msg.content),
    );
    connected();
    const brokerVersion = client.rabbitManagementVersion ?? "unknown";
    this.writer.update({ state: "consuming", brokerVersion, waitingFor: null });
    this.emit("connected", { brokerVersion, from });
    const unwatch = watchLiveness({
      client,
      stream,
      periodMs: this.opts.broker.heartbeatS * 1000,
      lastActivity: () => this.lastActivity,
      onAnswer: () => (this.lastActivity = Date.now()),
      onLost: (reason) => this.lost?.(reason),
    });
    try {
      return await lost;
    } finally {
      unwatch();
      this.lost = undefined;
    }
  }

  private handle(gen: number, offsetBig: bigint | undefined, body: Buffer): Promise<void> {
    this.lastActivity = Date.now();
    if (this.stopping || gen !== this.generation || offsetBig === undefined) return Promise.resolve();
    const offset = Number(offsetBig);
    // A subscription starts at the chunk holding our offset: skip what is already on disk.
    if (offset <= Math.max(this.committed, this.pending.offset)) return Promise.resolve();
    clearTimeout(this.quiet);
    this.inFlight = this.inFlight
      .then(() => this.process(offset, body))
      .catch((e: unknown) => {
        // Not a data problem (those are quarantined) and not a file-system one (those are retried):
        // report it and leave the offset, so the message comes again after a reconnection.
        const reason = `offset ${offset}: ${errorMessage(e)}`;
        this.report(reason);
        this.lost?.(reason);
      });
    return this.inFlight;
  }

  private report(reason: string): void {
    this.writer.update({ lastError: { reason, time: new Date().toISOString() } });
    this.emit("error", { reason });
  }

  /** A message is applied: commit now if the group is full or old, else when the stream goes quiet. */
  private async applied(offset: number): Promise<void> {
    if (this.pending.count === 0) this.pending.since = Date.now();
    this.pending = { ...this.pending, offset, count: this.pending.count + 1 };
    this.writer.countDone();
    if (this.pending.count >= COMMIT_EVERY || Date.now() - this.pending.since >= COMMIT_AFTER_MS) {
      await this.commitPending();
      return;
    }
    clearTimeout(this.quiet);
    this.quiet = setTimeout(() => {
      this.inFlight = this.inFlight
        .then(() => this.commitPending())
        .catch((e: unknown) => this.report(`commit: ${errorMessage(e)}`));
    }, COMMIT_WHEN_QUIET_MS);
  }

  /** fsync the group's directories, then store its last offset (retried on file-system errors). */
  private async commitPending(): Promise<void> {
    clearTimeout(this.quiet);
    const { offset } = this.pending;
    if (offset <= this.committed) return;
    const done = await this.retrying(offset, async () => {
      await this.batch.flush();
      await writeOffset(this.paths.offset, this.opts.broker.stream, offset);
      return true;
    });
    if (done === undefined) return;
    this.committed = offset;
    this.pending = { offset, count: 0, since: 0 };
    this.readPicture.clear();
    this.writer.update({ offset });
  }

  private async process(offset: number, body: Buffer): Promise<void> {
    this.emit("received", { offset, bytes: body.length });
    const decoded = decodeAnnotation(body, this.opts.catalog);
    if (!decoded.ok) return this.quarantine(offset, null, decoded.reason, body);
    const m = decoded.message;
    if (m.image !== null) {
      const checked = await checkImage(m.image, m.imageExtension);
      if ("reason" in checked) return this.quarantine(offset, m.name, checked.reason, body);
    }
    const imageless = m.image === null && m.status !== "deleted";
    if (!imageless && this.readPicture.has(m.name)) await this.commitPending();
    if (imageless) this.readPicture.add(m.name);
    const outcome = await this.retrying(offset, () => this.store.apply(m, this.batch));
    if (outcome === undefined) return;
    if (outcome.kind === "rejected") return this.quarantine(offset, m.name, outcome.reason, body);
    const s = this.writer.status;
    this.writer.update(outcome.kind === "deleted" ? { deleted: s.deleted + 1 } : { written: s.written + 1 });
    this.emit("written", { offset, name: m.name, status: m.status, outcome, warnings: decoded.warnings });
    await this.applied(offset);
  }

  private async quarantine(offset: number, name: string | null, reason: string, body: Buffer): Promise<void> {
    const { stream } = this.opts.broker;
    const entry = { stream, offset, name, reason };
    const ok = await this.retrying(offset, () =>
      quarantineMessage(this.paths.quarantine, entry, body, this.batch),
    );
    if (ok === undefined) return;
    const s = this.writer.status;
    this.writer.update({
      quarantined: s.quarantined + 1,
      quarantineTotal: s.quarantineTotal + 1,
      lastError: { reason: `offset ${offset}: ${reason}`, time: new Date().toISOString() },
    });
    this.emit("quarantined", { offset, name, reason });
    await this.applied(offset);
  }

  /**
   * Run a file-system step until it succeeds: on ENOSPC (or any other I/O error) pause on this
   * message, keep the offset, retry with backoff. Undefined when stop() came first.
   */
  private async retrying<T>(offset: number, step: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const v = await step();
        if (attempt > 1) this.writer.update({ state: "consuming", waitingFor: null });
        return v;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) throw e;
        if (this.stopping) return undefined;
        const reason = code === "ENOSPC" ? `disk full (ENOSPC): ${errorMessage(e)}` : errorMessage(e);
        const delayMs = backoff(attempt, this.opts.retryMaxMs);
        this.writer.update({
          state: "paused",
          waitingFor: reason,
          lastError: { reason, time: new Date().toISOString() },
        });
        this.emit("paused", { offset, reason, delayMs });
        await this.sleep(delayMs);
        if (this.stopping) return undefined;
      }
    }
  }

  /** Wait, or less when stop() is called. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }
}
