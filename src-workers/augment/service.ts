/**
 * The augmentation service: keeps <out> equal to "8 pairs for every usable source in <source>".
 * A pass lists the source folder and queues what changed; `watch` adds file-system events (acted on
 * after a short settle time) and a periodic full rescan for anything an event missed. Bad sources
 * are quarantined and the service goes on; stop() lets the sources in flight finish, then returns.
 */
import { mkdir, rm } from "node:fs/promises";
import { imageLabelDirs, type ImageLabelDirs } from "../core/layout.js";
import type { SourceRunner } from "./pool.js";
import type { SourceJob, SourceResult } from "./processor.js";
import { Quarantine } from "./quarantine.js";
import { acquirePidLock } from "../core/pid-lock.js";
import { decide, listSources, type Decision, type SourceListing } from "./scan.js";
import {
  augmentPaths,
  deleteRecord,
  loadRecords,
  removeOutputs,
  type AugmentPaths,
  type SourceRecord,
} from "./state.js";
import { JobQueue } from "./jobs.js";
import type { StatusFile } from "../core/status-file.js";
import { errorEntry, initialStatus, statusWriter, type AugmentStatus } from "./status.js";
import { SourceWatcher } from "./watch.js";

export interface AugmentServiceOptions {
  /** Folder holding images/ and labels/ (validated annotations: <root>/data). */
  readonly source: string;
  /** Folder receiving images/ and labels/ (<root>/data-processed). */
  readonly out: string;
  readonly seed: number;
  readonly runner: SourceRunner;
  readonly mode: "once" | "watch";
  /** Watch mode: seconds between full rescans. */
  readonly rescanSeconds?: number;
  /** Watch mode: quiet time after a file event before the file is looked at. */
  readonly settleMs?: number;
  readonly onEvent?: (e: AugmentEvent) => void;
}

export type AugmentEvent =
  | { readonly type: "pass"; readonly pass: number; readonly queued: number; readonly skipped: number }
  | { readonly type: "result"; readonly result: SourceResult }
  | { readonly type: "removed"; readonly stem: string; readonly files: number }
  | { readonly type: "error"; readonly file: string; readonly reason: string };

export class AugmentService {
  private readonly dirs: ImageLabelDirs;
  private readonly paths: AugmentPaths;
  private readonly writer: StatusFile<AugmentStatus>;
  private records = new Map<string, SourceRecord>();
  private quarantine!: Quarantine;
  private known: SourceListing = new Map();
  private readonly queue: JobQueue;
  private readonly recheck = new Set<string>();
  private stopping = false;
  private scanning = false;

  constructor(private readonly opts: AugmentServiceOptions) {
    this.dirs = imageLabelDirs(opts.source);
    this.paths = augmentPaths(opts.out);
    const { mode, seed, source, out } = opts;
    const status = initialStatus({ mode, seed, source, out, workers: opts.runner.slots });
    this.writer = statusWriter(this.paths.status, status);
    this.queue = new JobQueue(opts.runner.slots, (job) => this.runJob(job));
  }

  get status(): Readonly<AugmentStatus> {
    return { ...this.writer.status, imagesPerSecond: this.writer.perSecond() };
  }

  get quarantined(): Quarantine {
    return this.quarantine;
  }

  /** Finish the sources in flight, start no more. */
  stop(): void {
    this.stopping = true;
    this.writer.update({ state: "stopping" });
    this.queue.wake();
  }

  /** Run (one pass, or until stop() in watch mode); resolves with the final status. */
  async run(): Promise<AugmentStatus> {
    await mkdir(this.paths.state, { recursive: true });
    const release = await acquirePidLock(this.paths.lock, "another augment service");
    let watcher: SourceWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      // Leftovers of a crash: we hold the lock, so nothing else writes here.
      await rm(this.paths.tmp, { recursive: true, force: true });
      this.records = await loadRecords(this.paths);
      this.quarantine = await Quarantine.load(this.paths.quarantine);
      if (this.opts.mode === "watch") {
        await mkdir(this.dirs.images, { recursive: true });
        await mkdir(this.dirs.labels, { recursive: true });
        watcher = new SourceWatcher(this.dirs, this.opts.settleMs ?? 500, {
          onStems: (stems) => void this.checkStems(stems),
          onUnknown: () => void this.scanInWatch(),
          onError: (dir, reason) => this.report(dir, reason),
        });
        timer = setInterval(() => void this.scanInWatch(), (this.opts.rescanSeconds ?? 30) * 1000);
        await this.scanInWatch();
      } else {
        await this.fullScan();
      }
      await this.queue.pump({
        stopped: () => this.stopping,
        untilEmpty: this.opts.mode === "once",
        onTick: (inFlight, queue) => {
          const idle = inFlight === 0 && queue === 0 && !this.scanning && !this.stopping;
          this.writer.update({ inFlight, queue, ...(idle ? { state: "idle" as const } : {}) });
        },
      });
      this.writer.update({ state: "stopped" });
    } catch (e) {
      this.writer.update({ state: "failed", lastError: errorEntry(this.paths.out, (e as Error).message) });
      throw e;
    } finally {
      if (timer) clearInterval(timer);
      watcher?.close();
      await this.quarantine?.save().catch(() => undefined);
      this.writer.update({ queue: this.queue.size, quarantined: this.quarantine?.size ?? 0 });
      await this.writer.flush();
      await release();
    }
    return this.status;
  }

  private async checkStems(stems: Map<string, string[]>): Promise<void> {
    for (const [stem, names] of stems) {
      const known = this.known.get(stem) ?? [];
      this.known.set(stem, [...known, ...names.filter((n) => !known.includes(n))]);
      await this.check(stem);
    }
    this.queue.wake();
  }

  private async scanInWatch(): Promise<void> {
    try {
      await this.fullScan();
    } catch (e) {
      this.report(this.dirs.images, (e as Error).message);
    }
    this.queue.wake();
  }

  private async fullScan(): Promise<void> {
    if (this.scanning || this.stopping) return;
    this.scanning = true;
    this.writer.update({ state: "scanning" });
    try {
      const listing = await listSources(this.dirs);
      this.known = listing;
      let skipped = 0;
      for (const stem of listing.keys()) {
        if (this.stopping) return;
        if ((await this.check(stem)) === "skipped") skipped++;
      }
      for (const stem of [...this.records.keys()]) if (!listing.has(stem)) await this.check(stem);
      for (const stem of this.quarantine.stems()) if (!listing.has(stem)) this.quarantine.remove(stem);
      await this.quarantine.save();
      const passes = this.writer.status.passes + 1;
      this.writer.update({ passes, skipped: this.writer.status.skipped + skipped, state: "processing" });
      this.opts.onEvent?.({ type: "pass", pass: passes, queued: this.queue.size, skipped });
    } finally {
      this.scanning = false;
    }
  }

  /** Decide what one stem needs and queue or do it; "skipped" when it is done or still quarantined. */
  private async check(stem: string): Promise<"skipped" | "queued" | "other"> {
    if (this.queue.busy.has(stem)) {
      this.recheck.add(stem);
      return "other";
    }
    const d: Decision = await decide(stem, this.known.get(stem) ?? [], {
      dirs: this.dirs,
      seed: this.opts.seed,
      records: this.records,
      quarantine: this.quarantine,
    });
    if (d.kind === "done" || d.kind === "quarantined") return "skipped";
    if (d.kind === "job") {
      this.queue.add(d.job);
      this.writer.update({ queue: this.queue.size });
      return "queued";
    }
    this.queue.delete(stem);
    if (d.kind === "duplicate") {
      const { file, reason, imageSig, labelSig } = d;
      this.quarantine.add({ stem, file, reason, imageSig, labelSig });
      this.failed(file, reason);
    } else {
      this.known.delete(stem);
      this.quarantine.remove(stem);
    }
    if (this.records.has(stem)) await this.removeSource(stem, d.kind === "gone");
    return "other";
  }

  /** Outputs first, record last: a crash in between leaves a record that the next pass acts on again. */
  private async removeSource(stem: string, report: boolean): Promise<void> {
    this.queue.busy.add(stem);
    try {
      const files = await removeOutputs(this.paths, stem);
      await deleteRecord(this.paths, stem);
      this.records.delete(stem);
      if (report) {
        this.writer.update({ removed: this.writer.status.removed + 1 });
        this.opts.onEvent?.({ type: "removed", stem, files });
      }
    } catch (e) {
      this.report(stem, `cannot remove outputs: ${(e as Error).message}`);
    } finally {
      this.queue.busy.delete(stem);
    }
  }

  private async runJob(job: SourceJob): Promise<void> {
    const { stem } = job;
    if (this.writer.status.state === "idle") this.writer.update({ state: "processing" });
    let result: SourceResult;
    try {
      result = await this.opts.runner.run(job);
    } finally {
      this.queue.busy.delete(stem);
    }
    const s = this.writer.status;
    if (result.kind === "done" || result.kind === "unchanged") {
      this.records.set(stem, result.record);
      this.quarantine.remove(stem);
      if (result.kind === "done") this.writer.countDone();
      this.writer.update(
        result.kind === "done" ? { processed: s.processed + 1 } : { skipped: s.skipped + 1 },
      );
    } else if (result.kind === "quarantined") {
      const { file, reason, imageSig, labelSig } = result;
      this.quarantine.add({ stem, file, reason, imageSig, labelSig });
      this.failed(result.file, result.reason);
      // Outputs of an earlier version of a now-bad source would train on stale data.
      if (this.records.has(stem)) await this.removeSource(stem, false);
    } else if (result.kind === "failed") {
      this.failed(result.file, result.reason);
    } else {
      this.recheck.add(stem);
    }
    this.opts.onEvent?.({ type: "result", result });
    await this.quarantine.save().catch((e: Error) => this.report(this.paths.quarantine, e.message));
    this.writer.update({ quarantined: this.quarantine.size });
    if (this.recheck.delete(stem) && !this.stopping) {
      if (result.kind === "vanished") this.known.set(stem, []);
      await this.check(stem);
    }
  }

  private failed(file: string, reason: string): void {
    this.writer.update({ failed: this.writer.status.failed + 1, lastError: errorEntry(file, reason) });
  }

  private report(file: string, reason: string): void {
    this.writer.update({ lastError: errorEntry(file, reason) });
    this.opts.onEvent?.({ type: "error", file, reason });
  }
}
