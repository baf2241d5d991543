/**
 * Validation plots with Ultralytics' file names: PR_curve.png, F1_curve.png, P_curve.png, R_curve.png
 * (per-class thin lines, all classes thick, as Ultralytics draws them; per-class lines and legend only
 * for fewer than 21 classes) and confusion_matrix.png / confusion_matrix_normalized.png.
 */
import { join } from "node:path";
import type { ConfusionMatrix } from "./confusion.js";
import { heatmapSvg, PALETTE, panelsSvg, writeSvgPng, type Series } from "./plot.js";
import type { PrCurves } from "./pr-curves.js";

const SIZE = { w: 720, h: 520 };
const ALL = "#1f3a93";

function perClass(
  curves: PrCurves,
  pick: (c: PrCurves["classes"][number]) => number[],
  x: number[],
  label: (c: PrCurves["classes"][number]) => string,
): Series[] {
  if (curves.classes.length >= 21) return [];
  return curves.classes.map((c, i) => ({ name: label(c), x, y: pick(c), colour: PALETTE[i % PALETTE.length]!, width: 1 })); // prettier-ignore
}

/** The four curve plots into `dir`. */
export async function writeCurvePlots(dir: string, curves: PrCurves): Promise<string[]> {
  const all = curves.all;
  const r = curves.recall;
  const c = curves.confidence;
  const best = all.bestF1.toFixed(2);
  const at = all.bestConf.toFixed(3);
  const plots: { file: string; title: string; x: number[]; xLabel: string; yLabel: string; series: Series[] }[] = [
    {
      file: "PR_curve.png",
      title: "Precision-Recall Curve",
      x: r,
      xLabel: "Recall",
      yLabel: "Precision",
      series: [
        ...perClass(curves, (k) => k.precision, r, (k) => `${k.name} ${k.ap50.toFixed(3)}`),
        { name: `all classes ${all.map50.toFixed(3)} mAP@0.5`, x: r, y: all.precision, colour: ALL, width: 3 },
      ],
    },
    {
      file: "F1_curve.png",
      title: "F1-Confidence Curve",
      x: c,
      xLabel: "Confidence",
      yLabel: "F1",
      series: [
        ...perClass(curves, (k) => k.f1Conf, c, (k) => k.name),
        { name: `all classes ${best} at ${at}`, x: c, y: all.f1Conf, colour: ALL, width: 3 },
      ],
    },
    {
      file: "P_curve.png",
      title: "Precision-Confidence Curve",
      x: c,
      xLabel: "Confidence",
      yLabel: "Precision",
      series: [...perClass(curves, (k) => k.pConf, c, (k) => k.name), { name: "all classes", x: c, y: all.pConf, colour: ALL, width: 3 }],
    },
    {
      file: "R_curve.png",
      title: "Recall-Confidence Curve",
      x: c,
      xLabel: "Confidence",
      yLabel: "Recall",
      series: [...perClass(curves, (k) => k.rConf, c, (k) => k.name), { name: "all classes", x: c, y: all.rConf, colour: ALL, width: 3 }],
    },
  ]; // prettier-ignore
  const written: string[] = [];
  for (const p of plots) {
    const svg = panelsSvg(
      [
        {
          title: p.title,
          xLabel: p.xLabel,
          yLabel: p.yLabel,
          series: p.series,
          x: [0, 1],
          y: [0, 1.05],
          legend: true,
        },
      ],
      1,
      SIZE,
    );
    const file = join(dir, p.file);
    await writeSvgPng(file, svg);
    written.push(file);
  }
  return written;
}

/**
 * Both confusion-matrix plots. With many classes (the 80-slot scheme) only the classes that occur (a
 * non-zero row or column) are drawn, so the picture stays readable; the CSV keeps every class.
 */
export async function writeConfusionPlots(
  dir: string,
  cm: ConfusionMatrix,
  names: readonly string[],
): Promise<string[]> {
  const n = cm.nc + 1;
  let keep = Array.from({ length: n }, (_, i) => i);
  if (cm.nc > 30)
    keep = keep.filter((i) => {
      if (i === cm.nc) return true;
      for (let j = 0; j < n; j++) if (cm.get(i, j) > 0 || cm.get(j, i) > 0) return true;
      return false;
    });
  const labels = keep.map((i) => (i === cm.nc ? "background" : (names[i] ?? String(i))));
  const norm = cm.normalized();
  const written: string[] = [];
  for (const normalize of [false, true]) {
    const values: number[] = [];
    const fill: number[] = [];
    let max = 0;
    for (const p of keep) for (const t of keep) max = Math.max(max, cm.get(p, t));
    for (const p of keep)
      for (const t of keep) {
        const v = normalize ? norm[p * n + t]! : cm.get(p, t);
        values.push(v);
        fill.push(normalize ? v : max > 0 ? v / max : 0);
      }
    const { svg } = heatmapSvg({
      title: normalize ? "Confusion Matrix Normalized" : "Confusion Matrix",
      rowLabels: labels,
      colLabels: labels,
      values,
      fill,
      xLabel: "True",
      yLabel: "Predicted",
      format: normalize ? (v) => v.toFixed(2) : (v) => String(Math.round(v)),
    });
    const file = join(dir, normalize ? "confusion_matrix_normalized.png" : "confusion_matrix.png");
    await writeSvgPng(file, svg);
    written.push(file);
  }
  return written;
}
