/**
 * Model output -> detections per image, in model input pixels: NMS for a raw (B, 4+nc, N) output,
 * a score filter for a model with NMS inside (B, max_det, 6: x1 y1 x2 y2 score class, zero-padded).
 * Then back to source pixels through the letterbox, as Ultralytics' scale_boxes does.
 */
import { scaleBack } from "../yolo/predict/letterbox.js";
import { plainNms, type DetectionRows } from "./nms.js";

export type OutputKind = "raw" | "nms";

export interface PostOptions {
  readonly kind: OutputKind;
  readonly conf: number;
  readonly iou: number;
  readonly maxDet: number;
  readonly agnostic: boolean;
}

/** One output tensor as it comes out of the session. */
export interface OutputTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Detections of the first `images` images of a batch (a fixed-batch model may have been padded). */
export function postprocess(out: OutputTensor, images: number, o: PostOptions): DetectionRows[] {
  const [b, d1, d2] = out.dims as [number, number, number];
  if (out.dims.length !== 3 || b < images)
    throw new RangeError(`model output [${out.dims.join(", ")}] is not (batch >= ${images}, _, _)`);
  const result: DetectionRows[] = [];
  for (let i = 0; i < images; i++) {
    if (o.kind === "raw") {
      result.push(
        plainNms(out.data, d1, d2, i, { conf: o.conf, iou: o.iou, maxDet: o.maxDet, agnostic: o.agnostic }),
      );
      continue;
    }
    if (d2 !== 6)
      throw new RangeError(`an NMS model's output must be (batch, max_det, 6), got [${out.dims.join(", ")}]`);
    // Rows are by descending score and padding rows score 0: keep the leading rows above conf.
    const base = i * d1 * 6;
    let n = 0;
    while (n < Math.min(d1, o.maxDet) && out.data[base + n * 6 + 4]! > o.conf) n++;
    result.push({ rows: out.data.slice(base, base + n * 6), count: n });
  }
  return result;
}

export interface SourceBox {
  readonly xyxy: [number, number, number, number];
  readonly conf: number;
  readonly cls: number;
}

const f = Math.fround;

/** Rows in a inW x inH letterboxed input -> boxes in a srcW x srcH source, clipped (float32 as the predictor). */
export function toSource(
  r: DetectionRows,
  inW: number,
  inH: number,
  srcW: number,
  srcH: number,
): SourceBox[] {
  const { gain, padX, padY } = scaleBack(inW, inH, srcW, srcH);
  const g = f(gain);
  const clip = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi);
  const boxes: SourceBox[] = [];
  for (let k = 0; k < r.count; k++) {
    const row = r.rows.subarray(6 * k, 6 * k + 6);
    boxes.push({
      xyxy: [
        clip(f(f(row[0]! - padX) / g), srcW),
        clip(f(f(row[1]! - padY) / g), srcH),
        clip(f(f(row[2]! - padX) / g), srcW),
        clip(f(f(row[3]! - padY) / g), srcH),
      ],
      conf: row[4]!,
      cls: Math.round(row[5]!),
    });
  }
  return boxes;
}
