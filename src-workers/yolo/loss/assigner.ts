/**
 * Ultralytics' TaskAlignedAssigner (utils/tal.py): picks, per gt box, the top-k anchors inside it by
 * the alignment metric score^alpha * CIoU^beta, resolves anchors claimed by several gts by highest
 * IoU, and builds soft one-hot targets scaled by the normalised metric. No gradients (noGrad).
 * Shapes: b images, m padded gts per image, a anchors, c classes.
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { bboxIoU } from "./iou.js";

export interface AssignerOptions {
  readonly topk?: number;
  readonly numClasses: number;
  readonly alpha?: number;
  readonly beta?: number;
  readonly eps?: number;
}

export interface Assignment {
  /** (b, a) int64 class per anchor; meaningless where fgMask is false. */
  readonly targetLabels: Tensor;
  /** (b, a, 4) assigned gt box, xyxy in the units of gtBboxes. */
  readonly targetBboxes: Tensor;
  /** (b, a, c) soft one-hot targets; 0 for background. */
  readonly targetScores: Tensor;
  /** (b, a) bool: the anchor is assigned to a gt. */
  readonly fgMask: Tensor;
  /** (b, a) int64 index of the assigned gt within its image. */
  readonly targetGtIdx: Tensor;
}

/** (b, m, a) bool: the anchor centre lies strictly inside the gt box (by more than eps). */
export function selectCandidatesInGts(ancPoints: Tensor, gtBboxes: Tensor, eps = 1e-9): Tensor {
  return torch.tidy(() => {
    const pts = ancPoints.unsqueeze(0).unsqueeze(0); // (1, 1, a, 2)
    const lt = gtBboxes.slice(-1, 0, 2).unsqueeze(2); // (b, m, 1, 2)
    const rb = gtBboxes.slice(-1, 2, 4).unsqueeze(2);
    return torch
      .cat([pts.sub(lt), rb.sub(pts)], -1)
      .amin(-1)
      .gt(eps);
  });
}

/**
 * Alignment metric and CIoU overlaps (b, m, a) for each gt against each anchor's prediction, zero
 * outside `mask` (in-gt and real gt). The score is the prediction's score for the gt's class.
 */
export function boxMetrics(
  pdScores: Tensor,
  pdBboxes: Tensor,
  gtLabels: Tensor,
  gtBboxes: Tensor,
  mask: Tensor,
  alpha: number,
  beta: number,
): { alignMetric: Tensor; overlaps: Tensor } {
  return torch.tidy(() => {
    const a = pdScores.shape[1]!;
    const m = gtBboxes.shape[1]!;
    const labels = gtLabels.long().expand(-1, m, a); // (b, m, a)
    const scores = pdScores.transpose(1, 2).gather(1, labels).mul(mask);
    const iou = bboxIoU(gtBboxes.unsqueeze(2), pdBboxes.unsqueeze(1), { xywh: false, kind: "ciou" });
    const overlaps = torch.where(mask, iou.squeeze(-1).clampMin(0), 0);
    return { alignMetric: scores.pow(alpha).mul(overlaps.pow(beta)), overlaps };
  });
}

/**
 * (b, m, a) 0/1 in metrics' dtype: each real gt's top-k anchors by metric. Padded gts point all k at
 * anchor 0, whose count then exceeds 1 and is dropped, as Ultralytics does.
 */
export function selectTopkCandidates(metrics: Tensor, topk: number, maskGt: Tensor): Tensor {
  return torch.tidy(() => {
    const [, idxs] = metrics.topk(topk, -1, true);
    const kept = idxs.maskedFill(maskGt.expand(-1, -1, topk).logicalNot(), 0);
    const count = torch.zerosLike(metrics).scatterAdd(-1, kept, torch.onesLike(kept, metrics.dtype));
    return count.maskedFill(count.gt(1), 0);
  });
}

/**
 * Where an anchor is positive for several gts, keep only the gt of highest overlap.
 * Returns targetGtIdx (b, a), fgMask (b, a) as counts, and the resolved maskPos (b, m, a).
 */
export function selectHighestOverlaps(
  maskPos: Tensor,
  overlaps: Tensor,
): { targetGtIdx: Tensor; fgMask: Tensor; maskPos: Tensor } {
  return torch.tidy(() => {
    // Applied unconditionally (a no-op when no anchor is shared), saving Ultralytics' host sync.
    const multi = maskPos.sum(-2, true).gt(1).expandAs(maskPos);
    const best = torch.zerosLike(maskPos).scatter(1, overlaps.argmax(1, true), 1);
    const pos = torch.where(multi, best, maskPos);
    return { targetGtIdx: pos.argmax(-2), fgMask: pos.sum(-2), maskPos: pos };
  });
}

/** Each anchor's gt label, box and one-hot scores (zero on background anchors). */
export function assignedTargets(
  gtLabels: Tensor,
  gtBboxes: Tensor,
  targetGtIdx: Tensor,
  fgMask: Tensor,
  numClasses: number,
): { targetLabels: Tensor; targetBboxes: Tensor; targetScores: Tensor } {
  return torch.tidy(() => {
    const idx = targetGtIdx; // (b, a), within each image
    const targetLabels = gtLabels.squeeze(-1).long().gather(1, idx).clampMin(0);
    const targetBboxes = gtBboxes.gather(1, idx.unsqueeze(-1).expand(-1, -1, 4));
    const [b, a] = idx.shape as [number, number];
    const oneHot = torch.zeros([b, a, numClasses], { dtype: "int64", device: idx.device });
    const scattered = oneHot.scatter(2, targetLabels.unsqueeze(-1), 1);
    const targetScores = torch.where(fgMask.unsqueeze(-1).gt(0), scattered, 0);
    return { targetLabels, targetBboxes, targetScores };
  });
}

/**
 * Scales the one-hot scores by each anchor's metric normalised per gt, so a gt's best anchor gets that
 * gt's best IoU: max over gts of metric * maxIoU(gt) / (maxMetric(gt) + eps).
 */
export function normaliseScores(
  targetScores: Tensor,
  alignMetric: Tensor,
  overlaps: Tensor,
  maskPos: Tensor,
  eps: number,
): Tensor {
  return torch.tidy(() => {
    const metric = alignMetric.mul(maskPos);
    const posMetric = metric.amax(-1, true);
    const posOverlaps = overlaps.mul(maskPos).amax(-1, true);
    const norm = metric.mul(posOverlaps).div(posMetric.add(eps)).amax(-2).unsqueeze(-1);
    return targetScores.mul(norm);
  });
}

export class TaskAlignedAssigner {
  readonly topk: number;
  readonly numClasses: number;
  readonly alpha: number;
  readonly beta: number;
  readonly eps: number;

  constructor(o: AssignerOptions) {
    // Defaults as v8DetectionLoss builds it (the class's own defaults, topk 13 and alpha 1, go unused).
    this.topk = o.topk ?? 10;
    this.numClasses = o.numClasses;
    this.alpha = o.alpha ?? 0.5;
    this.beta = o.beta ?? 6.0;
    this.eps = o.eps ?? 1e-9;
  }

  /**
   * pdScores (b, a, c) probabilities, pdBboxes (b, a, 4) xyxy, ancPoints (a, 2), gtLabels (b, m, 1),
   * gtBboxes (b, m, 4) xyxy, maskGt (b, m, 1) 1 for real gts; boxes and points in the same units.
   */
  forward(
    pdScores: Tensor,
    pdBboxes: Tensor,
    ancPoints: Tensor,
    gtLabels: Tensor,
    gtBboxes: Tensor,
    maskGt: Tensor,
  ): Assignment {
    return torch.noGrad(() =>
      torch.tidy(() => {
        if (gtBboxes.shape[1] === 0) return this.empty(pdScores, pdBboxes);
        const realGt = maskGt.gt(0); // (b, m, 1)
        const inGts = selectCandidatesInGts(ancPoints, gtBboxes);
        const candidates = inGts.logicalAnd(realGt);
        const { alignMetric, overlaps } = boxMetrics(
          pdScores,
          pdBboxes,
          gtLabels,
          gtBboxes,
          candidates,
          this.alpha,
          this.beta,
        );
        const topk = selectTopkCandidates(alignMetric, this.topk, realGt);
        const maskPos0 = topk.mul(candidates);
        const { targetGtIdx, fgMask, maskPos } = selectHighestOverlaps(maskPos0, overlaps);
        const t = assignedTargets(gtLabels, gtBboxes, targetGtIdx, fgMask, this.numClasses);
        const targetScores = normaliseScores(t.targetScores, alignMetric, overlaps, maskPos, this.eps);
        return { ...t, targetScores, fgMask: fgMask.gt(0), targetGtIdx };
      }),
    );
  }

  /** No gts at all: every anchor is background. */
  private empty(pdScores: Tensor, pdBboxes: Tensor): Assignment {
    const first = pdScores.select(-1, 0);
    return {
      targetLabels: torch.fullLike(first, this.numClasses, "int64"),
      targetBboxes: torch.zerosLike(pdBboxes),
      targetScores: torch.zerosLike(pdScores),
      fgMask: torch.zerosLike(first, "bool"),
      targetGtIdx: torch.zerosLike(first, "int64"),
    };
  }
}
