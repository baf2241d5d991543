/** What `azaion train` and `azaion val` share: option parsing, loading a split, and a full evaluation. */
import { existsSync } from "node:fs";
import { DataError, UsageError } from "../../core/errors.js";
import { loadDataset, type Dataset } from "../../yolo/data/dataset.js";
import type { BatchSource } from "../../yolo/data/types.js";
import { checkDevice, trainArgs, type TrainArgs } from "../../yolo/engine/defaults.js";
import { validate } from "../../yolo/engine/validator.js";
import { ValReport, formatTable, modeRows, summaryRows } from "../../yolo/metrics/val-report.js";
import type { DetectionModel } from "../../yolo/model/detection-model.js";
import type { CliContext } from "../context.js";

export function num(flag: string, text: string | undefined, int = true): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(n) || (int && !Number.isInteger(n)))
    throw new UsageError(`${flag} ${text}: expected ${int ? "a whole number" : "a number"}`);
  return n;
}

export function bool(flag: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (t === "true" || t === "1" || t === "yes") return true;
  if (t === "false" || t === "0" || t === "no") return false;
  throw new UsageError(`${flag} ${text}: expected true or false`);
}

/** Parsed args whose device is there; a bad one is a UsageError. */
export function parseArgs(o: Readonly<Record<string, unknown>>): TrainArgs {
  try {
    const a = trainArgs(o);
    checkDevice(a.device);
    return a;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** A split of a data.yaml with its problems reported (20 at most); none usable is a DataError. */
export async function loadSplit(
  data: string,
  which: "train" | "val" | "test",
  nc: number | undefined,
  ctx: CliContext,
): Promise<Dataset> {
  if (!existsSync(data)) throw new UsageError(`--data ${data}: no such file`);
  const ds = await loadDataset({ dataYaml: data, split: which }, nc === undefined ? {} : { nc });
  for (const p of ds.problems.slice(0, 20)) ctx.info(`${which}: ${p.file}: ${p.message}`);
  if (ds.problems.length > 20) ctx.info(`${which}: ${ds.problems.length - 20} more problems`);
  if (ds.items.length === 0) throw new DataError(`the ${which} split has no usable images`, data);
  return ds;
}

export interface EvaluateOptions {
  readonly conf: number;
  readonly iou: number;
  readonly maxDet: number;
  /** Folder for the tables, confusion matrix and curves. */
  readonly dir: string;
  readonly label: string;
}

/**
 * Validate `model` on `source` with every output: the metrics table (all, per class; per base class and
 * weather mode for the 80-slot scheme) printed, and the files of ValReport written into opts.dir.
 */
export async function evaluate(
  ctx: CliContext,
  model: DetectionModel,
  source: BatchSource,
  o: EvaluateOptions,
): Promise<void> {
  const report = new ValReport({ nc: model.nc, names: model.names, conf: o.conf, catalog: ctx.catalog() });
  const bar = ctx.progress(o.label, source.batchesPerEpoch, "batch");
  const r = await validate(model, source, {
    conf: o.conf,
    iou: o.iou,
    maxDet: o.maxDet,
    onImages: (ims) => report.add(ims),
    onBatch: () => bar.tick(),
  }).finally(() => bar.finish());
  for (const line of formatTable(summaryRows(r.metrics))) ctx.out(line);
  const files = await report.write(o.dir, r.metrics);
  if (files.grouped) {
    ctx.out("");
    for (const line of formatTable(summaryRows(files.grouped.baseClasses).slice(1), "base class"))
      ctx.out(line);
    ctx.out("");
    for (const line of formatTable(modeRows(files.grouped), "weather mode")) ctx.out(line);
  }
  ctx.out(`${o.label}: ${r.images} images in ${r.seconds.toFixed(1)} s; results saved to ${o.dir}`);
}
