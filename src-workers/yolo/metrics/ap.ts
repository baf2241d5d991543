/** Ultralytics' ap_per_class / compute_ap: PR curves, 101-point interpolated AP and max-F1 P/R/F1. */
import { argmax, interpSorted, linspace01, npMean, pairwiseSum, roundHalfEven, smooth } from "./numeric.js";

/** Points on the confidence and recall axes of the curves (Ultralytics' np.linspace(0, 1, 1000)). */
export const CURVE_POINTS = 1000;
const EPS = 1e-16;
const X101 = linspace01(101);

/** Concatenated per-prediction statistics of a whole dataset (Ultralytics' DetMetrics.stats). */
export interface MatchStats {
  /** nPred x nIou, row-major, 1 = true positive. */
  readonly tp: Uint8Array;
  readonly nIou: number;
  readonly conf: ArrayLike<number>;
  readonly predCls: ArrayLike<number>;
  /** The class of every ground-truth box. */
  readonly targetCls: ArrayLike<number>;
}

export interface ApResult {
  /** Classes that have ground truth, ascending; every per-class array below follows this order. */
  readonly classes: number[];
  /** Ground-truth count per class in `classes`. */
  readonly nt: number[];
  readonly nIou: number;
  /** Per class, at the confidence where the smoothed mean F1 peaks. */
  readonly p: Float64Array;
  readonly r: Float64Array;
  readonly f1: Float64Array;
  /** TP and FP counts implied by p and r there (rounded as Ultralytics does). */
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  /** nClasses x nIou AP, row-major. */
  readonly ap: Float64Array;
  /** Index into `x` of the chosen confidence. */
  readonly bestIndex: number;
  /** The shared axis: confidence for p/r/f1 curves, recall for precAtRecall. */
  readonly x: Float64Array;
  /** nClasses x CURVE_POINTS, row-major: precision, recall and F1 against confidence. */
  readonly pCurve: Float64Array;
  readonly rCurve: Float64Array;
  readonly f1Curve: Float64Array;
  /** nClasses x CURVE_POINTS: the IoU-0.5 precision envelope at each recall (the PR curve). */
  readonly precAtRecall: Float64Array;
}

/**
 * compute_ap: AP of one recall/precision curve (predictions in confidence order) by COCO's
 * 101-point interpolation of the precision envelope, integrated with the trapezoid rule.
 * Returns the envelope too (mrec/mpre with sentinels) for the PR curve.
 */
export function computeAp(
  recall: ArrayLike<number>,
  precision: ArrayLike<number>,
): { ap: number; mrec: Float64Array; mpre: Float64Array } {
  const n = recall.length;
  const mrec = new Float64Array(n + 2);
  const mpre = new Float64Array(n + 2);
  mpre[0] = 1;
  mrec[n + 1] = 1;
  for (let i = 0; i < n; i++) {
    mrec[i + 1] = recall[i]!;
    mpre[i + 1] = precision[i]!;
  }
  for (let i = n; i >= 0; i--) if (mpre[i + 1]! > mpre[i]!) mpre[i] = mpre[i + 1]!;
  const y = new Float64Array(101);
  interpSorted(X101, mrec, mpre, mpre[0], mpre[n + 1]!, y);
  const ap = pairwiseSum((i) => ((X101[i + 1]! - X101[i]!) * (y[i + 1]! + y[i]!)) / 2, 100);
  return { ap, mrec, mpre };
}

/** ap_per_class over dataset statistics. Predictions of classes without ground truth are ignored. */
export function apPerClass(stats: MatchStats): ApResult {
  const { tp, nIou, conf, predCls, targetCls } = stats;
  const nPred = predCls.length;
  // Confidence-descending; a stable sort keeps input order among equal confidences.
  const order = Array.from({ length: nPred }, (_, i) => i).sort((a, b) => conf[b]! - conf[a]! || a - b);

  const counts = new Map<number, number>();
  for (let i = 0; i < targetCls.length; i++) counts.set(targetCls[i]!, (counts.get(targetCls[i]!) ?? 0) + 1);
  const classes = [...counts.keys()].sort((a, b) => a - b);
  const nt = classes.map((c) => counts.get(c)!);
  const nc = classes.length;
  const slotOf = new Map(classes.map((c, k) => [c, k]));
  const byClass: number[][] = classes.map(() => []);
  for (const i of order) {
    const k = slotOf.get(predCls[i]!);
    if (k !== undefined) byClass[k]!.push(i);
  }

  const P = CURVE_POINTS;
  const x = linspace01(P);
  const negXAsc = Float64Array.from(x, (_, i) => -x[P - 1 - i]!);
  const ap = new Float64Array(nc * nIou);
  const pCurve = new Float64Array(nc * P);
  const rCurve = new Float64Array(nc * P);
  const precAtRecall = new Float64Array(nc * P);
  for (let k = 0; k < nc; k++) {
    const idx = byClass[k]!;
    const n = idx.length;
    if (n === 0) continue;
    const nl = nt[k]! + EPS;
    const negConf = Float64Array.from(idx, (i) => -conf[i]!);
    const recall = new Float64Array(n);
    const precision = new Float64Array(n);
    for (let j = 0; j < nIou; j++) {
      let tpc = 0;
      for (let q = 0; q < n; q++) {
        tpc += tp[idx[q]! * nIou + j]!;
        recall[q] = tpc / nl;
        precision[q] = tpc / (q + 1);
      }
      if (j === 0) {
        // Curves against confidence: -x ascending fills each curve from its end backwards.
        interpSorted(negXAsc, negConf, recall, 0, recall[n - 1]!, rCurve, k * P + P - 1, -1);
        interpSorted(negXAsc, negConf, precision, 1, precision[n - 1]!, pCurve, k * P + P - 1, -1);
      }
      const r = computeAp(recall, precision);
      ap[k * nIou + j] = r.ap;
      if (j === 0) {
        const row = precAtRecall.subarray(k * P, (k + 1) * P);
        interpSorted(x, r.mrec, r.mpre, r.mpre[0]!, r.mpre[n + 1]!, row);
      }
    }
  }

  const f1Curve = new Float64Array(nc * P);
  for (let i = 0; i < nc * P; i++)
    f1Curve[i] = (2 * pCurve[i]! * rCurve[i]!) / (pCurve[i]! + rCurve[i]! + EPS);
  const meanF1 = new Float64Array(P);
  for (let t = 0; t < P; t++) {
    let s = 0;
    for (let k = 0; k < nc; k++) s += f1Curve[k * P + t]!;
    meanF1[t] = nc ? s / nc : 0;
  }
  const bestIndex = argmax(smooth(meanF1, 0.1));
  const pick = (curve: Float64Array): Float64Array =>
    Float64Array.from(classes, (_, k) => curve[k * P + bestIndex]!);
  const p = pick(pCurve);
  const r = pick(rCurve);
  const tpAt = Float64Array.from(r, (v, k) => roundHalfEven(v * nt[k]!));
  const fpAt = Float64Array.from(tpAt, (v, k) => roundHalfEven(v / (p[k]! + EPS) - v));
  return {
    classes,
    nt,
    nIou,
    p,
    r,
    f1: pick(f1Curve),
    tp: tpAt,
    fp: fpAt,
    ap,
    bestIndex,
    x,
    pCurve,
    rCurve,
    f1Curve,
    precAtRecall,
  };
}

/** AP averaged over the IoU thresholds for class row k (Ultralytics' all_ap.mean(1)). */
export function apMeanOverIou(res: ApResult, k: number): number {
  return npMean((j) => res.ap[k * res.nIou + j]!, res.nIou);
}
