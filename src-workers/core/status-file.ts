/**
 * A service's status as a JSON file for the UI (augmentation, queue): changes written at most once a
 * second (at once when the state changes), writes serialised so a later one never lands before an
 * earlier one, and a rate of finished items over the last WINDOW_S seconds.
 */
import { writeFileAtomic } from "./labels.js";

/** Seconds the rate is averaged over. */
export const RATE_WINDOW_S = 30;

export interface ServiceStatus {
  state: string;
  startedAt: string;
  updatedAt: string;
}

export class StatusFile<T extends ServiceStatus> {
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly doneTimes: number[] = [];

  constructor(
    private readonly file: string,
    readonly status: T,
    /** Puts the current rate into the status before each write. */
    private readonly setRate: (status: T, perSecond: number) => void,
    private readonly minIntervalMs = 1000,
  ) {}

  /** Count one finished item for the rate. */
  countDone(): void {
    this.doneTimes.push(Date.now());
  }

  /** Finished items per second over the last RATE_WINDOW_S seconds (or since the start, if shorter). */
  perSecond(): number {
    const now = Date.now();
    while (this.doneTimes.length > 0 && now - this.doneTimes[0]! > RATE_WINDOW_S * 1000)
      this.doneTimes.shift();
    if (this.doneTimes.length === 0) return 0;
    const span = Math.min(RATE_WINDOW_S, Math.max(1, (now - Date.parse(this.status.startedAt)) / 1000));
    return this.doneTimes.length / span;
  }

  /** Apply changes; write now when the state changed or `force`, else within minIntervalMs. */
  update(patch: Partial<T>, force = false): void {
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
    this.setRate(this.status, Math.round(this.perSecond() * 100) / 100);
    const text = `${JSON.stringify(this.status, null, 2)}\n`;
    // A status write that fails (disk full) must not stop the service; the next one may succeed.
    this.writing = this.writing.then(() => writeFileAtomic(this.file, text)).catch(() => undefined);
    return this.writing;
  }
}
