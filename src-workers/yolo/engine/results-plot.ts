/**
 * results.png of a run, redrawn after every epoch from results.csv's rows: Ultralytics' ten panels
 * (train and val losses, P, R, mAP50, mAP50-95) plus the learning rates of the three parameter groups.
 */
import { join } from "node:path";
import { PALETTE, panelsSvg, writeSvgPng, type Panel } from "../metrics/plot.js";
import type { ResultsColumn, ResultsRow } from "./results.js";

const GRID: readonly (ResultsColumn | "lr")[] = [
  "train/box_loss", "train/cls_loss", "train/dfl_loss", "metrics/precision(B)", "metrics/recall(B)", "lr",
  "val/box_loss", "val/cls_loss", "val/dfl_loss", "metrics/mAP50(B)", "metrics/mAP50-95(B)",
]; // prettier-ignore

export function resultsPanels(rows: readonly ResultsRow[]): Panel[] {
  const x = rows.map((r) => r.epoch);
  return GRID.map((col): Panel => {
    if (col === "lr")
      return {
        title: "lr",
        xLabel: "epoch",
        legend: true,
        series: (["lr/pg0", "lr/pg1", "lr/pg2"] as const).map((k, i) => ({ name: k, x, y: rows.map((r) => r[k]), colour: PALETTE[i]!, markers: rows.length <= 50 })), // prettier-ignore
      };
    return {
      title: col,
      xLabel: "epoch",
      series: [{ name: col, x, y: rows.map((r) => r[col]), colour: PALETTE[0], markers: rows.length <= 50 }],
    };
  });
}

/** Write <saveDir>/results.png (atomically). */
export async function plotResults(saveDir: string, rows: readonly ResultsRow[]): Promise<string> {
  const file = join(saveDir, "results.png");
  await writeSvgPng(file, panelsSvg(resultsPanels(rows), 6, { w: 300, h: 240 }));
  return file;
}
