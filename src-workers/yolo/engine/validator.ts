/**
 * Ultralytics' DetectionValidator for training: run the (EMA) model on a BatchSource, multi-label NMS at
 * conf 0.001 / iou 0.7 / 300 detections, map predictions and ground truth back to each original image with the
 * batch's letterbox shapes, and accumulate DetMetrics; optionally the val losses (mean per batch).
 */
import * as torch from "../../torch/index.js";
import type { Batch, BatchSource } from "../data/types.js";
import type { DetectionLoss } from "../loss/detection-loss.js";
import { DetMetrics, type DetMetricsResult, type Detection, type EvalImage } from "../metrics/det-metrics.js";
import type { YoloBox } from "../metrics/iou.js";
import { DetectionModel } from "../model/detection-model.js";
import type { ModelEMA } from "../model/ema.js";
import { nonMaxSuppression } from "../predict/nms.js";

export interface ValidateOptions {
  readonly conf?: number;
  readonly iou?: number;
  readonly maxDet?: number;
  /** When given, val/box_loss, val/cls_loss, val/dfl_loss are computed too. */
  readonly loss?: DetectionLoss;
  /** Each batch's images as DetMetrics sees them (confusion matrix, grouped metrics: ValReport.add). */
  readonly onImages?: (images: readonly EvalImage[]) => void;
  /** Called after each batch (progress). */
  readonly onBatch?: (done: number, total: number) => void;
}

export interface ValidationResult {
  readonly metrics: DetMetricsResult;
  /** Mean [box, cls, dfl] loss items per batch, or null without opts.loss. */
  readonly loss: [number, number, number] | null;
  readonly images: number;
  readonly seconds: number;
}

export const VAL_DEFAULTS = { conf: 0.001, iou: 0.7, maxDet: 300 } as const;

/**
 * Validate `target` (a model, or an EMA whose averaged model is used) on one pass over `source`, on the
 * model's device: each batch is moved there, and the kept detections come back to the CPU for metrics.
 */
export async function validate(
  target: DetectionModel | ModelEMA,
  source: BatchSource,
  opts: ValidateOptions = {},
): Promise<ValidationResult> {
  const model = target instanceof DetectionModel ? target : target.ema;
  const o = { ...VAL_DEFAULTS, ...opts };
  const device = model.parameters()[0]?.device ?? "cpu";
  const wasTraining = model.training;
  model.eval();
  const metrics = new DetMetrics({ nc: model.nc, names: model.names });
  const lossSum = [0, 0, 0];
  let batches = 0;
  let images = 0;
  const t0 = performance.now();
  try {
    // The validator owns each batch's tensors and frees them once read.
    for await (const batch of source.epoch(0)) {
      try {
        const { dets, items } = torch.noGrad(() =>
          torch.tidy(() => {
            const raw = model.forward(batch.images.toDevice(device));
            const it = o.loss ? o.loss.forward(raw, batch.targets.toDevice(device)).items.toNumbers() : null;
            const out = nonMaxSuppression(model.decode(raw), {
              conf: o.conf,
              iou: o.iou,
              maxDet: o.maxDet,
              multiLabel: true, // as Ultralytics' DetectionValidator
            });
            return { dets: out.map((d) => d.data() as Float32Array), items: it }; // data() copies to the CPU
          }),
        );
        if (items) items.forEach((v, i) => (lossSum[i]! += v));
        const ims = evalImages(batch, dets);
        for (const im of ims) metrics.add(im);
        o.onImages?.(ims);
        batches++;
        images += batch.files.length;
      } finally {
        batch.images.dispose();
        batch.targets.dispose();
      }
      o.onBatch?.(batches, source.batchesPerEpoch);
    }
  } finally {
    model.train(wasTraining);
  }
  const n = Math.max(batches, 1);
  return {
    metrics: metrics.result(),
    loss: o.loss ? [lossSum[0]! / n, lossSum[1]! / n, lossSum[2]! / n] : null,
    images,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Each image of a batch for DetMetrics: targets and NMS rows (x1 y1 x2 y2 conf cls, flat) taken out of
 * the letterbox into the original image (minus pad, over ratio, clipped), as Ultralytics' scale_boxes.
 */
export function evalImages(
  batch: Pick<Batch, "images" | "targets" | "shapes">,
  dets: readonly Float32Array[],
): EvalImage[] {
  const size = batch.images.shape[3]!;
  const sizeH = batch.images.shape[2]!;
  const t = batch.targets.toNumbers();
  return batch.shapes.map((shape, i) => {
    const [h, w] = shape.orig;
    const { ratio } = shape;
    const [px, py] = shape.pad;
    const fx = (v: number) => clamp((v - px) / ratio, w);
    const fy = (v: number) => clamp((v - py) / ratio, h);
    const gt: YoloBox[] = [];
    for (let r = 0; r + 5 < t.length; r += 6) {
      if (t[r] !== i) continue;
      const [cx, cy, bw, bh] = [t[r + 2]! * size, t[r + 3]! * sizeH, t[r + 4]! * size, t[r + 5]! * sizeH];
      const x1 = fx(cx - bw / 2);
      const x2 = fx(cx + bw / 2);
      const y1 = fy(cy - bh / 2);
      const y2 = fy(cy + bh / 2);
      gt.push({
        cls: Math.round(t[r + 1]!),
        cx: (x1 + x2) / 2 / w,
        cy: (y1 + y2) / 2 / h,
        w: (x2 - x1) / w,
        h: (y2 - y1) / h,
      });
    }
    const d = dets[i] ?? new Float32Array(0);
    const predictions: Detection[] = [];
    for (let r = 0; r + 5 < d.length; r += 6) {
      predictions.push({
        xyxy: [fx(d[r]!), fy(d[r + 1]!), fx(d[r + 2]!), fy(d[r + 3]!)],
        conf: d[r + 4]!,
        cls: Math.round(d[r + 5]!),
      });
    }
    return { width: w, height: h, gt, predictions };
  });
}

function clamp(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}
