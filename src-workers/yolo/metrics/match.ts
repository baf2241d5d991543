/** Ultralytics' greedy (non-scipy) match_predictions: which predictions are true positives at each IoU. */

/** The 10 COCO IoU thresholds 0.50:0.05:0.95. */
export const IOU_THRESHOLDS: readonly number[] = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

/**
 * The TP matrix (nPred x nThresholds, row-major, 1 = true positive) for one image.
 * `iou` is the (nGt x nPred) matrix from boxIou(gt, pred). Predictions are taken in the order given,
 * which should be confidence-descending as NMS returns them: Ultralytics breaks ties by that order.
 *
 * Exactly as Ultralytics: at each threshold every prediction picks its highest-IoU same-class GT with
 * IoU >= threshold; a GT picked by several predictions goes to the earliest one, and the others are
 * false positives even if they overlap a second free GT (Ultralytics does not fall back).
 */
export function matchPredictions(
  predCls: ArrayLike<number>,
  gtCls: ArrayLike<number>,
  iou: ArrayLike<number>,
  thresholds: readonly number[] = IOU_THRESHOLDS,
): Uint8Array {
  const np = predCls.length;
  const ng = gtCls.length;
  const nt = thresholds.length;
  const tp = new Uint8Array(np * nt);
  if (np === 0 || ng === 0) return tp;
  // The best GT does not depend on the threshold: below it, the prediction simply has no match.
  const bestGt = new Int32Array(np).fill(-1);
  const bestIou = new Float64Array(np);
  for (let p = 0; p < np; p++) {
    const c = predCls[p]!;
    for (let g = 0; g < ng; g++) {
      if (gtCls[g] !== c) continue;
      const v = iou[g * np + p]!;
      // >= so an exact tie goes to the later GT, as the reversed argsort does.
      if (v > 0 && v >= bestIou[p]!) {
        bestIou[p] = v;
        bestGt[p] = g;
      }
    }
  }
  const taken = new Uint8Array(ng);
  for (let t = 0; t < nt; t++) {
    const thr = thresholds[t]!;
    taken.fill(0);
    for (let p = 0; p < np; p++) {
      const g = bestGt[p]!;
      if (g < 0 || bestIou[p]! < thr || taken[g]) continue;
      taken[g] = 1;
      tp[p * nt + t] = 1;
    }
  }
  return tp;
}
