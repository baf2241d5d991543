/**
 * Box bookkeeping with Albumentations 1.4.3 semantics (tests/data/augment/semantics.md):
 * normalised corner form inside the pipeline, input clipped rather than rejected, and a filter
 * after every step measured against the box as it entered that step.
 */
import type { YoloBox } from "../../core/labels.js";

/** Normalised corners, float64, never rounded; the class rides along. */
export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  readonly classId: number;
}

export interface BoxFilter {
  /** Clipped area / unclipped area of the box as this step produced it. */
  readonly minVisibility: number;
  /** Output pixels of the clipped box. */
  readonly minArea: number;
  readonly minWidth: number;
  readonly minHeight: number;
}

export const NO_FILTER: BoxFilter = { minVisibility: 0, minArea: 0, minWidth: 0, minHeight: 0 };

const clip01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * YOLO to corners. Input is clipped to the image (2.x's `clip=True`): 1.x raises on a box flush
 * against the left edge written with 6 decimals, which real labels do all the time. A box with no
 * area left is dropped here, as the first filter would drop it anyway.
 */
export function fromYolo(boxes: readonly YoloBox[]): Box[] {
  const out: Box[] = [];
  for (const b of boxes) {
    const x0 = b.cx - b.w / 2;
    const y0 = b.cy - b.h / 2;
    const box = {
      x0: clip01(x0),
      y0: clip01(y0),
      x1: clip01(x0 + b.w),
      y1: clip01(y0 + b.h),
      classId: b.classId,
    };
    if (box.x1 > box.x0 && box.y1 > box.y0) out.push(box);
  }
  return out;
}

export function toYolo(boxes: readonly Box[]): YoloBox[] {
  return boxes.map((b) => ({
    classId: b.classId,
    cx: (b.x0 + b.x1) / 2,
    cy: (b.y0 + b.y1) / 2,
    w: b.x1 - b.x0,
    h: b.y1 - b.y0,
  }));
}

/**
 * Albumentations' `filter_bboxes`, same operation order (denormalise, then subtract) so results
 * agree to the last bit away from thresholds. `width`/`height`: the image after the step.
 */
export function filterBoxes(boxes: readonly Box[], width: number, height: number, f: BoxFilter): Box[] {
  const out: Box[] = [];
  for (const b of boxes) {
    const areaT = (b.x1 * width - b.x0 * width) * (b.y1 * height - b.y0 * height);
    const c = { x0: clip01(b.x0), y0: clip01(b.y0), x1: clip01(b.x1), y1: clip01(b.y1), classId: b.classId };
    const wc = c.x1 * width - c.x0 * width;
    const hc = c.y1 * height - c.y0 * height;
    const areaC = wc * hc;
    if (
      areaC !== 0 &&
      areaC >= f.minArea &&
      areaC / areaT >= f.minVisibility &&
      wc >= f.minWidth &&
      hc >= f.minHeight
    )
      out.push(c);
  }
  return out;
}
