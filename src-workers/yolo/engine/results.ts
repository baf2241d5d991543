/** results.csv with Ultralytics' columns and number format (%.6g), and args.yaml, both written atomically. */
import { join } from "node:path";
import { stringify } from "yaml";
import { writeFileAtomic } from "../../core/labels.js";

export const RESULTS_COLUMNS = [
  "epoch",
  "time",
  "train/box_loss",
  "train/cls_loss",
  "train/dfl_loss",
  "metrics/precision(B)",
  "metrics/recall(B)",
  "metrics/mAP50(B)",
  "metrics/mAP50-95(B)",
  "val/box_loss",
  "val/cls_loss",
  "val/dfl_loss",
  "lr/pg0",
  "lr/pg1",
  "lr/pg2",
] as const;

export type ResultsColumn = (typeof RESULTS_COLUMNS)[number];
/** One epoch: epoch is 1-based and time the seconds since training started, as Ultralytics writes them. */
export type ResultsRow = Record<ResultsColumn, number>;

/** Python's "%.6g". */
export function formatG6(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const exp = Number(v.toExponential(5).split("e")[1]);
  if (exp < -4 || exp >= 6) {
    const [m, e] = v.toExponential(5).split("e") as [string, string];
    const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const fixed = v.toFixed(Math.max(5 - exp, 0));
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

export function resultsCsv(rows: readonly ResultsRow[]): string {
  const lines = [RESULTS_COLUMNS.join(",")];
  for (const r of rows) lines.push(RESULTS_COLUMNS.map((c) => formatG6(r[c])).join(","));
  return `${lines.join("\n")}\n`;
}

/** Rewrite results.csv with every row so far (a resumed run rewrites the rows it restored). */
export async function writeResults(saveDir: string, rows: readonly ResultsRow[]): Promise<void> {
  await writeFileAtomic(join(saveDir, "results.csv"), resultsCsv(rows));
}

export async function writeArgsYaml(saveDir: string, args: Readonly<Record<string, unknown>>): Promise<void> {
  await writeFileAtomic(join(saveDir, "args.yaml"), stringify(args, { sortMapEntries: false }));
}

/** What a row takes from validation: DetMetrics' means and the val losses. */
export interface RowMetrics {
  readonly mp: number;
  readonly mr: number;
  readonly map50: number;
  readonly map: number;
  readonly loss: readonly number[] | null;
}

/** Epoch 0-based in, 1-based out; zeros where there was no validation, as Ultralytics' empty metrics. */
export function resultsRow(
  epoch: number,
  time: number,
  train: readonly number[],
  v: RowMetrics | null,
  lr: readonly number[],
): ResultsRow {
  return {
    epoch: epoch + 1,
    time,
    "train/box_loss": train[0] ?? 0,
    "train/cls_loss": train[1] ?? 0,
    "train/dfl_loss": train[2] ?? 0,
    "metrics/precision(B)": v?.mp ?? 0,
    "metrics/recall(B)": v?.mr ?? 0,
    "metrics/mAP50(B)": v?.map50 ?? 0,
    "metrics/mAP50-95(B)": v?.map ?? 0,
    "val/box_loss": v?.loss?.[0] ?? 0,
    "val/cls_loss": v?.loss?.[1] ?? 0,
    "val/dfl_loss": v?.loss?.[2] ?? 0,
    "lr/pg0": lr[0] ?? 0,
    "lr/pg1": lr[1] ?? 0,
    "lr/pg2": lr[2] ?? 0,
  };
}
