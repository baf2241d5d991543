/** Queued sources, run a fixed number at a time, never two operations on one stem at once. */
import type { SourceJob } from "./processor.js";

export class JobQueue {
  private readonly jobs = new Map<string, SourceJob>();
  /** Stems being processed or removed. */
  readonly busy = new Set<string>();
  private wakeUp: () => void = () => undefined;

  constructor(
    private readonly slots: number,
    private readonly runJob: (job: SourceJob) => Promise<void>,
  ) {}

  get size(): number {
    return this.jobs.size;
  }

  /** Queue a job; a later job for the same stem replaces an earlier one still waiting. */
  add(job: SourceJob): void {
    this.jobs.set(job.stem, job);
    this.wakeUp();
  }

  delete(stem: string): void {
    this.jobs.delete(stem);
  }

  /** Let pump() look again (new jobs, or it should stop). */
  wake(): void {
    this.wakeUp();
  }

  /** Run jobs until stopped() (after the jobs in flight finish), or until the queue is empty when `untilEmpty`. */
  async pump(opts: {
    readonly stopped: () => boolean;
    readonly untilEmpty: boolean;
    readonly onTick: (inFlight: number, queued: number) => void;
  }): Promise<void> {
    const running = new Set<Promise<void>>();
    for (;;) {
      while (!opts.stopped() && running.size < this.slots) {
        const job = this.next();
        if (!job) break;
        this.busy.add(job.stem);
        const p: Promise<void> = this.runJob(job).finally(() => running.delete(p));
        running.add(p);
      }
      opts.onTick(running.size, this.jobs.size);
      if (running.size === 0 && (opts.stopped() || (opts.untilEmpty && this.jobs.size === 0))) return;
      await Promise.race([...running, new Promise<void>((resolve) => (this.wakeUp = resolve))]);
    }
  }

  private next(): SourceJob | undefined {
    for (const [stem, job] of this.jobs) {
      if (this.busy.has(stem)) continue;
      this.jobs.delete(stem);
      return job;
    }
    return undefined;
  }
}
