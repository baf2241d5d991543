/**
 * `azaion augment`: 1 original + 7 augmented pairs in data-processed/ for every image in data/.
 * The work is in augment/service.ts; this file is options, signals and what goes to the log.
 */
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { dataRootLayout } from "../../core/layout.js";
import { openRunner } from "../../augment/pool.js";
import { AugmentService, type AugmentEvent } from "../../augment/service.js";
import { augmentPaths } from "../../augment/state.js";
import type { CliContext } from "../context.js";
import { wholeOption } from "../options.js";
import type { ProgressBar } from "../progress.js";
import { augmentWorker, submitAugment } from "./augment-queue.js";

interface AugmentFlags {
  readonly once?: boolean;
  readonly watch?: boolean;
  readonly workers?: string;
  readonly seed?: string;
  readonly source?: string;
  readonly out?: string;
  readonly rescanSeconds?: string;
  readonly worker?: boolean;
  readonly submit?: boolean;
  readonly prefetch?: string;
}

/** The real transforms, loaded by module so worker threads can import them too. */
const PIPELINE = new URL("../../augment/pipeline.js", import.meta.url).href;
/** Watch mode: a progress line at most this often while work goes on. */
const LOG_EVERY_MS = 10_000;

const HELP_AFTER = `
Outputs, for each source image <stem> (k = 0 is the original, 1-7 augmented; JPEG quality 90):
  <out>/images/<stem>_aug<k>.jpg and <out>/labels/<stem>_aug<k>.txt
Bookkeeping in <out>/.augment/: state/ (one record per source), quarantine.json (bad sources with
the reason), status.json (for the UI: state, counts, queue, images/s, last error), lock.

A source is processed again when its image or label changes, or with another --seed; a processed
one is skipped. Deleting a source image removes its outputs on the next pass. An image without a
label file is a background image; an empty label file means no objects. A label with a bad line
(e.g. class 93) or an image that does not decode is quarantined and the rest goes on.
Every pair is written to a temporary file and renamed in, label first, so a crash (even kill -9)
never leaves half an image or an image without its label; a restart finishes the work.

Exit status: --once: 0 all sources done, 1 some sources are quarantined or failed; --watch: 0 after
SIGTERM or SIGINT (the images in flight are finished first); 2 wrong usage.

Work queue (any number of workers on any machines sharing the data root; README "Work queues"):
  azaion augment --submit   one job per source that needs processing, on queue.augment_queue
  azaion augment --worker   take jobs, write their 8 pairs exactly as above, ack once on disk
Paths in jobs are relative to the data root, so every machine may mount it elsewhere (--root).
Do not run --once or --watch on the same output folder while workers run.`;

export function registerAugment(program: Command, ctx: CliContext): void {
  program
    .command("augment")
    .description(
      "write 1 original + 7 augmented images (with labels) to data-processed/ for every image in data/",
    )
    .option("--once", "one pass over the source, then exit (the default)")
    .option("--watch", "run until stopped: pick up new and changed files as they appear")
    .option(
      "--workers <n>",
      `sources processed at once, on worker threads (default: the cores, ${availableParallelism()} here)`,
    )
    .option(
      "--seed <n>",
      "seed of the augmentations: one seed and source always give the same outputs (default 0)",
    )
    .option("--source <dir>", "folder holding images/ and labels/ to read (default: <root>/data)")
    .option("--out <dir>", "folder to write images/ and labels/ into (default: <root>/data-processed)")
    .option("--rescan-seconds <n>", "--watch: seconds between full rescans, besides file events (default 30)")
    .option("--submit", "publish a job per source that needs processing to the work queue, then exit")
    .option("--worker", "take jobs from the work queue until stopped (SIGTERM finishes the jobs in flight)")
    .option(
      "--prefetch <n>",
      "--worker: jobs held and run at once, one thread each (default: config queue.prefetch)",
    )
    .addHelpText("after", HELP_AFTER)
    .action(async (flags: AugmentFlags) => {
      const modes = [flags.once, flags.watch, flags.worker, flags.submit].filter((m) => m === true);
      if (modes.length > 1) throw new UsageError("choose one of --once, --watch, --submit and --worker");
      if (flags.prefetch !== undefined && !flags.worker) throw new UsageError("--prefetch needs --worker");
      if (flags.worker) {
        for (const [flag, v] of [
          ["--workers", flags.workers],
          ["--seed", flags.seed],
          ["--source", flags.source],
          ["--out", flags.out],
        ] as const)
          if (v !== undefined)
            throw new UsageError(`${flag} does not go with --worker: each job says its own`);
        const prefetch =
          flags.prefetch === undefined ? undefined : wholeOption("--prefetch", flags.prefetch, 1, 1024);
        await augmentWorker(ctx, prefetch);
        return;
      }
      const watch = flags.watch === true;
      const workers =
        flags.workers === undefined
          ? availableParallelism()
          : wholeOption("--workers", flags.workers, 1, 1024);
      const seed = flags.seed === undefined ? 0 : wholeOption("--seed", flags.seed, 0, 2 ** 32 - 1);
      const rescanSeconds =
        flags.rescanSeconds === undefined
          ? 30
          : wholeOption("--rescan-seconds", flags.rescanSeconds, 1, 86_400);
      if (flags.rescanSeconds !== undefined && !watch) throw new UsageError("--rescan-seconds needs --watch");
      const layout =
        flags.source === undefined || flags.out === undefined ? dataRootLayout(ctx.config().root) : undefined;
      const source = resolve(flags.source ?? join(layout!.data.images, ".."));
      const out = resolve(flags.out ?? join(layout!.processed.images, ".."));
      if (source === out) throw new UsageError("--source and --out must be different folders");
      if (flags.submit) {
        if (flags.workers !== undefined) throw new UsageError("--workers does not go with --submit");
        await submitAugment(ctx, { source, out, seed });
        return;
      }

      const runner = await openRunner({ variantModule: PIPELINE, out }, workers);
      const log = new AugmentLog(ctx, watch);
      const service = new AugmentService({
        source,
        out,
        seed,
        runner,
        mode: watch ? "watch" : "once",
        rescanSeconds,
        onEvent: (e) => log.event(e),
      });
      const stop = () => {
        ctx.info("augment: stopping after the images in flight");
        service.stop();
      };
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
      const timer = watch ? setInterval(() => log.tick(service.status), LOG_EVERY_MS) : undefined;
      ctx.info(
        `augment: ${source} -> ${out}, ${runner.threads > 0 ? `${runner.threads} worker threads` : `${runner.slots} at once`}, seed ${seed}` +
          (watch ? `, watching (rescan every ${rescanSeconds} s)` : ""),
      );
      try {
        const status = await service.run();
        log.finish();
        const secs = (Date.now() - Date.parse(status.startedAt)) / 1000;
        ctx.out(
          `augment: ${status.processed} processed, ${status.skipped} up to date, ${status.removed} removed, ` +
            `${status.failed} failed, ${status.quarantined} in quarantine, ${status.queue} left; ` +
            `${secs.toFixed(1)} s, ${(status.processed / Math.max(secs, 1e-3)).toFixed(2)} images/s`,
        );
        if (status.quarantined > 0) ctx.info(`quarantine: ${augmentPaths(out).quarantine}`);
        if (!watch && (status.quarantined > 0 || status.failed > 0)) process.exitCode = 1;
      } finally {
        if (timer) clearInterval(timer);
        process.off("SIGTERM", stop);
        process.off("SIGINT", stop);
        await runner.close();
      }
    });
}

/** Progress bar for a pass (--once); one line per pass and every few seconds while busy (--watch). */
class AugmentLog {
  private bar: ProgressBar | undefined;
  private busy = false;

  constructor(
    private readonly ctx: CliContext,
    private readonly watch: boolean,
  ) {}

  event(e: AugmentEvent): void {
    if (e.type === "pass") {
      if (this.watch)
        this.ctx.info(`augment: pass ${e.pass}: ${e.queued} to process, ${e.skipped} up to date`);
      else if (e.queued > 0) this.bar = this.ctx.progress("augment", e.queued, "img");
    } else if (e.type === "result") {
      const r = e.result;
      if (r.kind === "quarantined" || r.kind === "failed")
        this.ctx.info(`${r.kind === "quarantined" ? "quarantined" : "failed"}: ${r.file}: ${r.reason}`);
      this.busy = true;
      this.bar?.tick();
    } else if (e.type === "removed") {
      this.ctx.info(`removed: ${e.stem}: ${e.files} output images (the source is gone)`);
    } else {
      this.ctx.info(`error: ${e.file}: ${e.reason}`);
    }
  }

  /** Watch mode: throughput and queue, printed only when something happened since the last line. */
  tick(s: {
    processed: number;
    failed: number;
    queue: number;
    inFlight: number;
    imagesPerSecond: number;
  }): void {
    if (!this.busy && s.queue === 0 && s.inFlight === 0) return;
    this.busy = false;
    this.ctx.info(
      `augment: ${s.processed} processed, ${s.failed} failed, queue ${s.queue}, in flight ${s.inFlight}, ${s.imagesPerSecond.toFixed(2)} images/s`,
    );
  }

  finish(): void {
    this.bar?.finish();
  }
}
