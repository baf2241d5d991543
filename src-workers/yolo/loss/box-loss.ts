/**
 * Ultralytics' BboxLoss and DFLoss (utils/loss.py): CIoU loss and distribution focal loss over the
 * foreground anchors, each weighted by the anchor's target score sum and divided by the total target
 * score. Boxes here are in grid units (pixels / stride).
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { bboxIoU } from "./iou.js";

/** ltrb distances (..., 4) from anchor points (..., 2) to a box; xyxy, or cx cy w h when xywh. */
export function dist2bbox(distance: Tensor, anchorPoints: Tensor, xywh = true): Tensor {
  return torch.tidy(() => {
    const [lt, rb] = distance.chunk(2, -1) as [Tensor, Tensor];
    const x1y1 = anchorPoints.sub(lt);
    const x2y2 = anchorPoints.add(rb);
    if (xywh) return torch.cat([x1y1.add(x2y2).div(2), x2y2.sub(x1y1)], -1);
    return torch.cat([x1y1, x2y2], -1);
  });
}

/** xyxy box (..., 4) to ltrb distances from anchor points, clamped to [0, maxDist - 0.01]. */
export function bbox2dist(anchorPoints: Tensor, bbox: Tensor, maxDist: number): Tensor {
  return torch.tidy(() => {
    const [x1y1, x2y2] = bbox.chunk(2, -1) as [Tensor, Tensor];
    return torch.cat([anchorPoints.sub(x1y1), x2y2.sub(anchorPoints)], -1).clamp(0, maxDist - 0.01);
  });
}

/**
 * DFL: cross-entropy of the bin logits (n, regMax) against the two bins around each target distance
 * (n flattened as k*4 by the caller), weighted by closeness. target (k, 4) -> (k, 1), mean over sides.
 */
export function dflLoss(predDist: Tensor, target: Tensor, regMax = 16): Tensor {
  return torch.tidy(() => {
    const t = target.clamp(0, regMax - 1 - 0.01);
    const tl = t.long();
    const tr = tl.add(1);
    const wl = tr.sub(t);
    const wr = wl.rsub(1);
    const ce = (cls: Tensor) =>
      torch.crossEntropy(predDist, cls.view(-1), { reduction: "none" }).view(...tl.shape);
    return ce(tl).mul(wl).add(ce(tr).mul(wr)).mean(-1, true);
  });
}

export interface BboxLossInput {
  /** (b, a, 4*regMax) DFL logits, side-major. */
  readonly predDist: Tensor;
  /** (b, a, 4) decoded predicted boxes, xyxy grid units. */
  readonly predBboxes: Tensor;
  /** (a, 2) anchor centres, grid units. */
  readonly anchorPoints: Tensor;
  /** (b, a, 4) assigned gt boxes, xyxy grid units. */
  readonly targetBboxes: Tensor;
  /** (b, a, c) soft targets. */
  readonly targetScores: Tensor;
  /** Total target score, at least 1 (a scalar tensor or a number). */
  readonly targetScoresSum: Tensor | number;
  /** (b, a) bool foreground anchors; at least one. */
  readonly fgMask: Tensor;
}

/** [CIoU loss, DFL loss] as scalar tensors, before their gains. */
export function bboxLoss(x: BboxLossInput, regMax = 16): [Tensor, Tensor] {
  return torch.tidy(() => {
    const fg = x.fgMask;
    const weight = x.targetScores.sum(-1).mask(fg).unsqueeze(-1); // (n, 1)
    const targetFg = x.targetBboxes.mask(fg);
    const iou = bboxIoU(x.predBboxes.mask(fg), targetFg, { xywh: false, kind: "ciou" });
    const lossIoU = iou.rsub(1).mul(weight).sum().div(x.targetScoresSum);

    const targetLtrb = bbox2dist(x.anchorPoints, x.targetBboxes, regMax - 1).mask(fg);
    const dist = x.predDist.mask(fg).view(-1, regMax);
    const lossDfl = dflLoss(dist, targetLtrb, regMax).mul(weight).sum().div(x.targetScoresSum);
    return [lossIoU, lossDfl];
  });
}
