/**
 * A progress bar for long work. On a terminal it redraws one line on stderr (bar, count, rate,
 * ETA); elsewhere (CI logs, pipes) it prints a plain line every few seconds, so logs stay short.
 */
import { emitJobEvent, jobEventsEnabled } from "../host/event-sink.js";

/** Progress events to a job's host: at most this often per bar (about 4 a second). */
const EVENT_EVERY_MS = 250;

export interface ProgressOptions {
  readonly label: string;
  readonly total?: number;
  readonly unit?: string;
  readonly stream?: NodeJS.WriteStream;
  /** Non-terminal output: the least time between two printed lines. */
  readonly logEveryMs?: number;
  readonly quiet?: boolean;
}

export class ProgressBar {
  private done = 0;
  private readonly start = Date.now();
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private finished = false;
  private lastEvent = 0;
  total: number | undefined;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.total = opts.total;
    // In logs the first line comes after one interval, so short jobs print only their final line.
    this.lastDraw = this.tty ? 0 : this.start;
  }

  tick(n = 1): void {
    this.done += n;
    this.draw(false);
  }

  set(done: number): void {
    this.done = done;
    this.draw(false);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.draw(true);
    if (this.tty && !this.opts.quiet) this.stream.write("\n");
  }

  /** The text of the current state; exported for tests and for event streams. */
  line(): string {
    const secs = Math.max((Date.now() - this.start) / 1000, 1e-3);
    const rate = this.done / secs;
    const unit = this.opts.unit ?? "it";
    const rateText = `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)} ${unit}/s`;
    if (this.total === undefined || this.total <= 0) {
      return `${this.opts.label} ${this.done} ${unit} ${rateText} ${formatDuration(secs)}`;
    }
    const frac = Math.min(1, this.done / this.total);
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const eta = rate > 0 ? (this.total - this.done) / rate : Number.NaN;
    const etaText = this.done >= this.total ? formatDuration(secs) : `ETA ${formatDuration(eta)}`;
    return `${this.opts.label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${this.done}/${this.total} ${rateText} ${etaText}`;
  }

  /** The state as a job event, when this process runs as a job's worker (host/event-sink.ts). */
  private event(force: boolean): void {
    if (!jobEventsEnabled()) return;
    const now = Date.now();
    if (!force && now - this.lastEvent < EVENT_EVERY_MS) return;
    this.lastEvent = now;
    const secs = Math.max((now - this.start) / 1000, 1e-3);
    const rate = this.done / secs;
    const total = this.total !== undefined && this.total > 0 ? this.total : undefined;
    const eta = total !== undefined && rate > 0 ? Math.max(0, (total - this.done) / rate) : undefined;
    emitJobEvent({
      type: "progress",
      progress: {
        label: this.opts.label,
        done: this.done,
        ...(total === undefined ? {} : { total }),
        unit: this.opts.unit ?? "it",
        rate,
        ...(eta === undefined ? {} : { etaSeconds: eta }),
      },
    });
  }

  private draw(force: boolean): void {
    this.event(force);
    if (this.opts.quiet) return;
    const now = Date.now();
    const every = this.tty ? 100 : (this.opts.logEveryMs ?? 5000);
    if (!force && now - this.lastDraw < every) return;
    this.lastDraw = now;
    if (this.tty) this.stream.write(`\r\x1b[2K${this.line()}`);
    else this.stream.write(`${this.line()}\n`);
  }
}

export function formatDuration(secs: number): string {
  if (!Number.isFinite(secs)) return "--:--";
  const s = Math.round(secs);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(r).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
