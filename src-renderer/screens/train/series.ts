/**
 * Training curves as chart series: results.csv rows (per epoch, 1-based) and the within-epoch running
 * mean losses (x in epochs, so the two line up: the last batch of epoch 0 sits at x = 1 with row 1).
 */
import type { ResultsRowData } from "../../../src-workers/host/contract/index.js";
import type { BatchPoint } from "../../state/jobs.js";
import type { ChartPoint, ChartSeries } from "../../ui/charts/index.js";

export const COLOURS = {
  box: "var(--chart-1)",
  cls: "var(--chart-2)",
  dfl: "var(--chart-3)",
  extra: "var(--chart-4)",
} as const;

export const COLUMNS = {
  precision: "metrics/precision(B)",
  recall: "metrics/recall(B)",
  map50: "metrics/mAP50(B)",
  map5095: "metrics/mAP50-95(B)",
} as const;

/** Rows merged by epoch: later sources win (live rows over results.csv read earlier). */
export function mergeRows(...sources: readonly (readonly ResultsRowData[])[]): ResultsRowData[] {
  const byEpoch = new Map<number, ResultsRowData>();
  for (const rows of sources)
    for (const r of rows) {
      const e = r["epoch"];
      if (typeof e === "number") byEpoch.set(e, r);
    }
  return [...byEpoch.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}

export function column(rows: readonly ResultsRowData[], key: string): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (const r of rows) {
    const x = r["epoch"];
    const y = r[key];
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(y)) out.push({ x, y });
  }
  return out;
}

function series(
  id: string,
  label: string,
  colour: string,
  points: ChartPoint[],
  dashed = false,
): ChartSeries {
  return { id, label, colour, points, dashed };
}

const LOSSES = ["box", "cls", "dfl"] as const;

/** Training losses: the batches' running means (solid) and each epoch's mean (dashed). */
export function trainLossSeries(
  rows: readonly ResultsRowData[],
  batches: readonly BatchPoint[],
): ChartSeries[] {
  const out: ChartSeries[] = [];
  for (const k of LOSSES) {
    if (batches.length > 0)
      out.push(
        series(
          `batch-${k}`,
          `${k} (running)`,
          COLOURS[k],
          batches.map((b) => ({ x: b.x, y: b[k] })),
        ),
      );
    out.push(
      series(`epoch-${k}`, `${k} (epoch)`, COLOURS[k], column(rows, `train/${k}_loss`), batches.length > 0),
    );
  }
  return out;
}

export function valLossSeries(rows: readonly ResultsRowData[]): ChartSeries[] {
  return LOSSES.map((k) => series(`val-${k}`, `val ${k}`, COLOURS[k], column(rows, `val/${k}_loss`)));
}

export function precisionRecallSeries(rows: readonly ResultsRowData[]): ChartSeries[] {
  return [
    series("p", "Precision", COLOURS.box, column(rows, COLUMNS.precision)),
    series("r", "Recall", COLOURS.cls, column(rows, COLUMNS.recall)),
  ];
}

export function mapSeries(rows: readonly ResultsRowData[]): ChartSeries[] {
  return [
    series("map50", "mAP50", COLOURS.box, column(rows, COLUMNS.map50)),
    series("map5095", "mAP50-95", COLOURS.dfl, column(rows, COLUMNS.map5095)),
  ];
}

export function lrSeries(rows: readonly ResultsRowData[]): ChartSeries[] {
  return [0, 1, 2].map((g) =>
    series(
      `lr${g}`,
      `lr pg${g}`,
      [COLOURS.box, COLOURS.cls, COLOURS.dfl][g] ?? COLOURS.extra,
      column(rows, `lr/pg${g}`),
      g === 1,
    ),
  );
}

/** Best mAP50-95 so far and its epoch (what best.safetensors holds, by Ultralytics' fitness). */
export function bestEpoch(
  rows: readonly ResultsRowData[],
): { epoch: number; map50: number; map5095: number } | undefined {
  let best: { epoch: number; map50: number; map5095: number; fit: number } | undefined;
  for (const r of rows) {
    const m50 = r[COLUMNS.map50] ?? 0;
    const m = r[COLUMNS.map5095] ?? 0;
    const fit = 0.1 * m50 + 0.9 * m;
    const e = r["epoch"];
    if (typeof e === "number" && (best === undefined || fit > best.fit))
      best = { epoch: e, map50: m50, map5095: m, fit };
  }
  return best && { epoch: best.epoch, map50: best.map50, map5095: best.map5095 };
}
