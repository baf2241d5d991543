/**
 * Box IoU and its GIoU/DIoU/CIoU variants, as Ultralytics' bbox_iou (utils/metrics.py): element-wise
 * over broadcast boxes (..., 4), returning (..., 1). Differentiable; CIoU's trade-off weight alpha is
 * held constant in backward, as Ultralytics computes it under no_grad.
 */
import type { Tensor } from "../../torch/index.js";

export type IoUKind = "iou" | "giou" | "diou" | "ciou";

export interface BboxIoUOptions {
  /** Boxes are cx, cy, w, h (default) rather than x1, y1, x2, y2. */
  readonly xywh?: boolean;
  readonly kind?: IoUKind;
  readonly eps?: number;
}

interface Corners {
  x1: Tensor;
  y1: Tensor;
  x2: Tensor;
  y2: Tensor;
  w: Tensor;
  h: Tensor;
}

function corners(box: Tensor, xywh: boolean, eps: number): Corners {
  const [a, b, c, d] = box.chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  if (xywh) {
    const [hw, hh] = [c.div(2), d.div(2)];
    // Ultralytics keeps w, h as given here (no eps), unlike the xyxy branch.
    return { x1: a.sub(hw), x2: a.add(hw), y1: b.sub(hh), y2: b.add(hh), w: c, h: d };
  }
  return { x1: a, y1: b, x2: c, y2: d, w: c.sub(a), h: d.sub(b).add(eps) };
}

/** IoU (or a variant) of box1 and box2, shapes broadcasting over all but the last dim. Call inside a tidy. */
export function bboxIoU(box1: Tensor, box2: Tensor, o: BboxIoUOptions = {}): Tensor {
  const eps = o.eps ?? 1e-7;
  const kind = o.kind ?? "iou";
  const b1 = corners(box1, o.xywh ?? true, eps);
  const b2 = corners(box2, o.xywh ?? true, eps);

  const iw = b1.x2.minimum(b2.x2).sub(b1.x1.maximum(b2.x1)).clampMin(0);
  const ih = b1.y2.minimum(b2.y2).sub(b1.y1.maximum(b2.y1)).clampMin(0);
  const inter = iw.mul(ih);
  const union = b1.w.mul(b1.h).add(b2.w.mul(b2.h)).sub(inter).add(eps);
  const iou = inter.div(union);
  if (kind === "iou") return iou;

  // Smallest enclosing box.
  const cw = b1.x2.maximum(b2.x2).sub(b1.x1.minimum(b2.x1));
  const ch = b1.y2.maximum(b2.y2).sub(b1.y1.minimum(b2.y1));
  if (kind === "giou") {
    const cArea = cw.mul(ch).add(eps);
    return iou.sub(cArea.sub(union).div(cArea));
  }
  const c2 = cw.pow(2).add(ch.pow(2)).add(eps);
  const dx = b2.x1.add(b2.x2).sub(b1.x1).sub(b1.x2);
  const dy = b2.y1.add(b2.y2).sub(b1.y1).sub(b1.y2);
  const rho2 = dx.pow(2).add(dy.pow(2)).div(4);
  if (kind === "diou") return iou.sub(rho2.div(c2));
  const v = b2.w
    .div(b2.h)
    .atan()
    .sub(b1.w.div(b1.h).atan())
    .pow(2)
    .mul(4 / Math.PI ** 2);
  const alpha = v.div(v.sub(iou).add(1 + eps)).detach();
  return iou.sub(rho2.div(c2).add(v.mul(alpha)));
}
