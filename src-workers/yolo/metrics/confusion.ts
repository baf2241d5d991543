/** Ultralytics' detection ConfusionMatrix: (nc+1) x (nc+1), rows predicted, columns true, last = background. */
import type { EvalImage } from "./det-metrics.js";
import { boxIou, yoloToXyxy } from "./iou.js";

export interface ConfusionOptions {
  /** Predictions at or below this confidence are left out (strictly greater is kept, as Ultralytics). */
  readonly conf?: number;
  /** A GT and a prediction pair up when IoU is strictly above this. */
  readonly iou?: number;
}

export class ConfusionMatrix {
  readonly nc: number;
  readonly conf: number;
  readonly iouThres: number;
  /** Row-major (nc+1)^2 counts: matrix[pred * (nc+1) + true]. Index nc is background. */
  readonly matrix: Float64Array;

  constructor(nc: number, opts: ConfusionOptions = {}) {
    this.nc = nc;
    this.conf = opts.conf ?? 0.25;
    this.iouThres = opts.iou ?? 0.45;
    this.matrix = new Float64Array((nc + 1) * (nc + 1));
  }

  get(pred: number, truth: number): number {
    return this.matrix[pred * (this.nc + 1) + truth]!;
  }

  private bump(pred: number, truth: number): void {
    this.matrix[pred * (this.nc + 1) + truth]!++;
  }

  addImage(image: EvalImage): void {
    const preds = image.predictions.filter((d) => d.conf > this.conf);
    const box = new Float64Array(preds.length * 4);
    preds.forEach((d, i) => box.set([d.xyxy[0]!, d.xyxy[1]!, d.xyxy[2]!, d.xyxy[3]!], i * 4));
    this.process(
      yoloToXyxy(image.gt, image.width, image.height),
      image.gt.map((g) => g.cls),
      box,
      preds.map((d) => d.cls),
    );
  }

  /**
   * One image with predictions already filtered by confidence. Class-agnostic matching as
   * Ultralytics: each prediction keeps its best GT (IoU > iou), then each GT keeps its best-IoU
   * prediction among those; matched pairs count at [predCls, gtCls] (off-diagonal = wrong class).
   */
  process(
    gtXyxy: ArrayLike<number>,
    gtCls: readonly number[],
    predXyxy: ArrayLike<number>,
    predCls: readonly number[],
  ): void {
    const ng = gtCls.length;
    const np = predCls.length;
    const bg = this.nc;
    for (const c of [...gtCls, ...predCls])
      if (!Number.isInteger(c) || c < 0 || c >= bg) throw new RangeError(`class ${c} is outside 0-${bg - 1}`);
    const iou = boxIou(gtXyxy, predXyxy);
    const predBest = new Int32Array(np).fill(-1);
    const predBestIou = new Float64Array(np);
    for (let p = 0; p < np; p++)
      for (let g = 0; g < ng; g++) {
        const v = iou[g * np + p]!;
        if (v > this.iouThres && (predBest[p]! < 0 || v >= predBestIou[p]!)) {
          predBest[p] = g;
          predBestIou[p] = v;
        }
      }
    const gtPred = new Int32Array(ng).fill(-1);
    for (let p = 0; p < np; p++) {
      const g = predBest[p]!;
      if (g < 0) continue;
      const cur = gtPred[g]!;
      // >= : an exact tie goes to the later prediction, as the reversed argsort does.
      if (cur < 0 || predBestIou[p]! >= predBestIou[cur]!) gtPred[g] = p;
    }
    const matched = new Uint8Array(np);
    for (let g = 0; g < ng; g++) {
      const p = gtPred[g]!;
      if (p >= 0) {
        matched[p] = 1;
        this.bump(predCls[p]!, gtCls[g]!);
      } else this.bump(bg, gtCls[g]!);
    }
    for (let p = 0; p < np; p++) if (!matched[p]) this.bump(predCls[p]!, bg);
  }

  /** Per class (background left out): diagonal TPs and row-sum-minus-diagonal FPs. */
  tpFp(): { tp: number[]; fp: number[] } {
    const tp: number[] = [];
    const fp: number[] = [];
    for (let c = 0; c < this.nc; c++) {
      let row = 0;
      for (let t = 0; t <= this.nc; t++) row += this.get(c, t);
      tp.push(this.get(c, c));
      fp.push(row - this.get(c, c));
    }
    return { tp, fp };
  }

  /** Column-normalised (each true class sums to 1), as Ultralytics plots it. */
  normalized(): Float64Array {
    const n = this.nc + 1;
    const out = new Float64Array(n * n);
    for (let t = 0; t < n; t++) {
      let col = 0;
      for (let p = 0; p < n; p++) col += this.matrix[p * n + t]!;
      for (let p = 0; p < n; p++) out[p * n + t] = this.matrix[p * n + t]! / (col + 1e-9);
    }
    return out;
  }

  /** Rows as nested arrays, for JSON and the UI. */
  toRows(normalize = false): number[][] {
    const m = normalize ? this.normalized() : this.matrix;
    const n = this.nc + 1;
    return Array.from({ length: n }, (_, p) => Array.from(m.subarray(p * n, (p + 1) * n)));
  }
}
