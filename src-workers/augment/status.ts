/**
 * .augment/status.json: what the UI shows about the running service. Written atomically (readers
 * never see half a file) and at most once a second, plus at every change of state.
 */
import { writeFileAtomic } from "../core/labels.js";

export type ServiceState =
  "starting" | "scanning" | "processing" | "idle" | "stopping" | "stopped" | "failed";

export interface AugmentStatus {
  state: ServiceState;
  mode: "once" | "watch";
  pid: number;
  seed: number;
  workers: number;
  source: string;
  out: string;
  startedAt: string;
  updatedAt: string;
  /** Full scans made so far. */
  passes: number;
  /** Sources turned into 8 pairs by this run. */
  processed: number;
  /** Sources found already done (or still quarantined and unchanged). */
  skipped: number;
  /** Sources quarantined or failed in this run. */
  failed: number;
  /** Sources whose outputs were removed because the source was deleted. */
  removed: number;
  /** Entries in quarantine.json now. */
  quarantined: number;
  queue: number;
  inFlight: number;
  /** Processed sources per second over the last WINDOW_S seconds. */
  imagesPerSecond: number;
  lastError: { file: string; reason: string; time: string } | null;
}

const WINDOW_S = 30;

/** The status of a service that has not started work yet. */
export function initialStatus(
  fields: Pick<AugmentStatus, "mode" | "seed" | "workers" | "source" | "out">,
): AugmentStatus {
  const now = new Date().toISOString();
  const zero = { passes: 0, processed: 0, skipped: 0, failed: 0, removed: 0, quarantined: 0 };
  return {
    ...fields,
    ...zero,
    state: "starting",
    pid: process.pid,
    startedAt: now,
    updatedAt: now,
    queue: 0,
    inFlight: 0,
    imagesPerSecond: 0,
    lastError: null,
  };
}

export function errorEntry(file: string, reason: string): AugmentStatus["lastError"] {
  return { file, reason, time: new Date().toISOString() };
}

export class StatusWriter {
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly doneTimes: number[] = [];

  constructor(
    private readonly file: string,
    readonly status: AugmentStatus,
    private readonly minIntervalMs = 1000,
  ) {}

  /** Count one processed source for the throughput figure. */
  processedOne(): void {
    this.doneTimes.push(Date.now());
  }

  imagesPerSecond(): number {
    const now = Date.now();
    while (this.doneTimes.length > 0 && now - this.doneTimes[0]! > WINDOW_S * 1000) this.doneTimes.shift();
    if (this.doneTimes.length === 0) return 0;
    const span = Math.min(WINDOW_S, Math.max(1, (now - Date.parse(this.status.startedAt)) / 1000));
    return this.doneTimes.length / span;
  }

  /** Apply changes; write now when the state changed or `force`, else within minIntervalMs. */
  update(patch: Partial<AugmentStatus>, force = false): void {
    const stateChanged = patch.state !== undefined && patch.state !== this.status.state;
    Object.assign(this.status, patch);
    if (force || stateChanged || Date.now() - this.last >= this.minIntervalMs) {
      void this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), this.minIntervalMs);
      this.timer.unref();
    }
  }

  /** Write the current status (serialised: a later write never lands before an earlier one). */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.last = Date.now();
    this.status.updatedAt = new Date().toISOString();
    this.status.imagesPerSecond = Math.round(this.imagesPerSecond() * 100) / 100;
    const text = `${JSON.stringify(this.status, null, 2)}\n`;
    // A status write that fails (disk full) must not stop the service; the next one may succeed.
    this.writing = this.writing.then(() => writeFileAtomic(this.file, text)).catch(() => undefined);
    return this.writing;
  }
}
