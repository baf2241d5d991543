/**
 * Forming a split dataset folder from a dataset folder (scan, split by source image group, write the
 * train/valid/test folders and data.yaml): what `azaion split` does, and what `azaion train` does first
 * when no --data is given.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { hasImages } from "../../core/dataset-folder.js";
import { SplitCollector, SUBSETS } from "../../core/dataset-split.js";
import { writeDataset, type WriteResult } from "../../core/dataset-write.js";
import { DataError, UsageError } from "../../core/errors.js";
import { dataRootLayout, datasetName, type ImageLabelDirs } from "../../core/layout.js";
import type { CliContext } from "../context.js";
import { scanWithProgress } from "./validate.js";

export interface FormOptions {
  readonly dirs: ImageLabelDirs;
  /** The dataset folder to create. */
  readonly out: string;
  readonly seed: number;
  readonly force?: boolean;
}

/** Scan, split and write with progress bars; prints the counts and the problems found. */
export async function formDataset(ctx: CliContext, o: FormOptions): Promise<WriteResult> {
  const cfg = ctx.config();
  const log = ctx.problemLog();
  const collector = new SplitCollector();
  for await (const e of scanWithProgress(ctx, o.dirs, log, "scan")) collector.add(e);
  if (collector.items.length === 0) {
    ctx.summarise(log, "split");
    throw new DataError("no usable images to split", o.dirs.images);
  }
  const plan = collector.plan(cfg.dataset.split, o.seed);
  const bar = ctx.progress("write", plan.length, "img");
  const result = await writeDataset(plan, o.out, {
    catalog: ctx.catalog(),
    force: o.force === true,
    onFile: () => bar.tick(),
  }).finally(() => bar.finish());

  ctx.out(`dataset ${result.dir} (seed ${o.seed}, from ${resolve(o.dirs.images, "..")})`);
  for (const s of SUBSETS) {
    const c = result.counts[s];
    ctx.out(
      `  ${s.padEnd(5)} ${String(c.images).padStart(7)} images ${String(c.groups).padStart(7)} groups ${String(c.boxes).padStart(8)} boxes`,
    );
  }
  ctx.out(`  data.yaml ${join(result.dir, "data.yaml")}`);
  if (collector.leftOut > 0) ctx.info(`${collector.leftOut} bad images left out (see the problems above)`);
  if (result.copied > 0) ctx.info(`${result.copied} files copied (hard links failed: another file system?)`);
  ctx.summarise(log, "split");
  return result;
}

/**
 * `azaion train` without --data: data-processed (the augmented set) -> datasets/azaion-YYYY-MM-DD and its
 * data.yaml. A dataset of that name is never replaced (a run may be reading it): a second one the same
 * day gets -2, -3, ...
 */
export async function formTrainingDataset(ctx: CliContext, now = new Date()): Promise<string> {
  const cfg = ctx.config();
  const layout = dataRootLayout(cfg.root);
  const source = resolve(layout.processed.images, "..");
  if (!(await hasImages(source)))
    throw new UsageError(
      `no augmented images in ${layout.processed.images}: run 'azaion augment' first (it fills data-processed ` +
        "from data), or give --data <data.yaml>",
    );
  const base = join(resolve(layout.datasets), datasetName(now));
  let out = base;
  for (let k = 2; existsSync(out); k++) out = `${base}-${k}`;
  ctx.info(`forming the training dataset from ${source}`);
  const r = await formDataset(ctx, { dirs: layout.processed, out, seed: cfg.dataset.seed });
  return join(r.dir, "data.yaml");
}
