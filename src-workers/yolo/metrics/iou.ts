/** Box IoU for evaluation: plain float64 loops over flat xyxy arrays (no tensors needed at this size). */

/** A ground-truth box in YOLO label form: class and centre/size normalised to the image. */
export interface YoloBox {
  readonly cls: number;
  readonly cx: number;
  readonly cy: number;
  readonly w: number;
  readonly h: number;
}

/** YOLO-normalised boxes -> flat xyxy pixels (n*4) for a width x height image. */
export function yoloToXyxy(boxes: readonly YoloBox[], width: number, height: number): Float64Array {
  const out = new Float64Array(boxes.length * 4);
  boxes.forEach((b, i) => {
    out[i * 4] = (b.cx - b.w / 2) * width;
    out[i * 4 + 1] = (b.cy - b.h / 2) * height;
    out[i * 4 + 2] = (b.cx + b.w / 2) * width;
    out[i * 4 + 3] = (b.cy + b.h / 2) * height;
  });
  return out;
}

/**
 * IoU of every box in `a` against every box in `b` (both flat xyxy, n*4), as Ultralytics' box_iou:
 * inter / (areaA + areaB - inter + eps). Returns a row-major (na x nb) matrix.
 */
export function boxIou(a: ArrayLike<number>, b: ArrayLike<number>, eps = 1e-7): Float64Array {
  const na = Math.floor(a.length / 4);
  const nb = Math.floor(b.length / 4);
  const out = new Float64Array(na * nb);
  const areaB = new Float64Array(nb);
  for (let j = 0; j < nb; j++) areaB[j] = (b[j * 4 + 2]! - b[j * 4]!) * (b[j * 4 + 3]! - b[j * 4 + 1]!);
  for (let i = 0; i < na; i++) {
    const ax1 = a[i * 4]!;
    const ay1 = a[i * 4 + 1]!;
    const ax2 = a[i * 4 + 2]!;
    const ay2 = a[i * 4 + 3]!;
    const areaA = (ax2 - ax1) * (ay2 - ay1);
    for (let j = 0; j < nb; j++) {
      const iw = Math.min(ax2, b[j * 4 + 2]!) - Math.max(ax1, b[j * 4]!);
      const ih = Math.min(ay2, b[j * 4 + 3]!) - Math.max(ay1, b[j * 4 + 1]!);
      const inter = iw > 0 && ih > 0 ? iw * ih : 0;
      out[i * nb + j] = inter / (areaA + areaB[j]! - inter + eps);
    }
  }
  return out;
}
