/**
 * The queue's bookkeeping under <root>/queue/ and queue/status.json, what the UI (and
 * `azaion queue status`) shows about the running consumer. The status is written atomically, at
 * most once a second plus at every change of state; a failed write (disk full) is retried later.
 */
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../core/labels.js";

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
  /** Messages per second over the last WINDOW_S seconds. */
  messagesPerSecond: number;
  /** Why the consumer waits (paused: disk full; reconnecting: the broker's error). */
  waitingFor: string | null;
  lastError: { reason: string; time: string } | null;
}

const WINDOW_S = 30;

export class QueueStatusWriter {
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly doneTimes: number[] = [];
  readonly status: QueueStatus;

  constructor(
    private readonly file: string,
    init: Pick<QueueStatus, "broker" | "stream" | "offset" | "quarantineTotal">,
  ) {
    const now = new Date().toISOString();
    this.status = {
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
  }

  /** Count one finished message for the rate. */
  doneOne(): void {
    this.doneTimes.push(Date.now());
  }

  messagesPerSecond(): number {
    const now = Date.now();
    while (this.doneTimes.length > 0 && now - this.doneTimes[0]! > WINDOW_S * 1000) this.doneTimes.shift();
    if (this.doneTimes.length === 0) return 0;
    const span = Math.min(WINDOW_S, Math.max(1, (now - Date.parse(this.status.startedAt)) / 1000));
    return this.doneTimes.length / span;
  }

  update(patch: Partial<QueueStatus>, force = false): void {
    const stateChanged = patch.state !== undefined && patch.state !== this.status.state;
    Object.assign(this.status, patch);
    if (force || stateChanged || Date.now() - this.last >= 1000) void this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), 1000);
      this.timer.unref();
    }
  }

  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.last = Date.now();
    this.status.updatedAt = new Date().toISOString();
    this.status.messagesPerSecond = Math.round(this.messagesPerSecond() * 100) / 100;
    const text = `${JSON.stringify(this.status, null, 2)}\n`;
    this.writing = this.writing.then(() => writeFileAtomic(this.file, text)).catch(() => undefined);
    return this.writing;
  }
}
