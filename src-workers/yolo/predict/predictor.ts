/**
 * The predictor: images -> one letterboxed batch -> detector -> NMS -> boxes in source pixels.
 * Written against a small Detector interface so it runs any model with Detect's eval output
 * (and a fake one in tests).
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { scaleBoxes } from "./boxes.js";
import { decodeRgb, type RgbImage } from "../../core/image-decode.js";
import { letterboxBatch } from "./image.js";
import { nonMaxSuppression, NMS_DEFAULTS } from "./nms.js";

export interface Detector {
  /** (B, 3, H, W) in [0, 1] -> (B, 4+nc, N): cx cy w h in input pixels, then class scores. */
  infer(x: Tensor): Tensor;
  readonly names: readonly string[] | Readonly<Record<number, string>>;
  readonly stride: readonly number[];
}

export interface PredictOptions {
  readonly imgsz?: number;
  readonly conf?: number;
  readonly iou?: number;
  readonly maxDet?: number;
  readonly agnostic?: boolean;
  readonly maxNms?: number;
  /** Minimal stride padding when a batch shares one size (Ultralytics' rect); else full squares. */
  readonly rect?: boolean;
}

export interface Detection {
  /** x1 y1 x2 y2 in source pixels, clipped to the image. */
  readonly xyxy: [number, number, number, number];
  readonly conf: number;
  readonly cls: number;
  readonly name: string;
}

export interface PredictResult {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly detections: Detection[];
}

export interface PredictInput {
  readonly file: string;
  readonly image: RgbImage;
}

/** A file that could not be decoded: the run goes on without it. */
export interface PredictFailure {
  readonly file: string;
  readonly error: string;
}

export class Predictor {
  readonly imgsz: number;
  readonly stride: number;

  constructor(
    readonly detector: Detector,
    readonly options: PredictOptions = {},
  ) {
    this.stride = Math.max(32, ...detector.stride);
    const want = options.imgsz ?? 640;
    if (!Number.isInteger(want) || want < 1) throw new RangeError(`imgsz ${want} is not a positive integer`);
    // Ultralytics' check_imgsz: the input must be a multiple of the largest stride.
    this.imgsz = Math.ceil(want / this.stride) * this.stride;
  }

  nameOf(cls: number): string {
    const names = this.detector.names as Readonly<Record<number, string>>;
    return names[cls] ?? String(cls);
  }

  /** Decoded images -> results, in order; one forward pass for all of them. */
  run(inputs: readonly PredictInput[]): PredictResult[] {
    if (inputs.length === 0) return [];
    const o = this.options;
    const rows = torch.noGrad(() =>
      torch.tidy(() => {
        const batch = letterboxBatch(
          inputs.map((i) => i.image),
          this.imgsz,
          this.stride,
          o.rect ?? true,
        );
        const [, , h, w] = batch.tensor.shape as [number, number, number, number];
        const pred = this.detector.infer(batch.tensor);
        const dets = nonMaxSuppression(pred, {
          conf: o.conf ?? NMS_DEFAULTS.conf,
          iou: o.iou ?? NMS_DEFAULTS.iou,
          maxDet: o.maxDet ?? NMS_DEFAULTS.maxDet,
          agnostic: o.agnostic ?? false,
          maxNms: o.maxNms ?? NMS_DEFAULTS.maxNms,
        });
        return dets.map((d, i) => {
          const { width, height } = inputs[i]!.image;
          const boxes = scaleBoxes(d.slice(1, 0, 4), w, h, width, height);
          return { boxes: boxes.toNumbers(), rest: d.slice(1, 4, 6).toNumbers() };
        });
      }),
    );
    return inputs.map((input, i) => {
      const { boxes, rest } = rows[i]!;
      const detections: Detection[] = [];
      for (let k = 0; k < rest.length / 2; k++) {
        const cls = rest[2 * k + 1]!;
        detections.push({
          xyxy: [boxes[4 * k]!, boxes[4 * k + 1]!, boxes[4 * k + 2]!, boxes[4 * k + 3]!],
          conf: rest[2 * k]!,
          cls,
          name: this.nameOf(cls),
        });
      }
      return { file: input.file, width: input.image.width, height: input.image.height, detections };
    });
  }

  /**
   * Files in batches of `batch`: decodes each batch concurrently, yields results and decode
   * failures in input order, with the decoded image for writers that draw.
   */
  async *predictFiles(
    files: readonly string[],
    batch = 8,
  ): AsyncGenerator<{ result: PredictResult; image: RgbImage } | { failure: PredictFailure }> {
    for (let start = 0; start < files.length; start += batch) {
      const chunk = files.slice(start, start + batch);
      const decoded = await Promise.all(
        chunk.map(async (file) => {
          try {
            return { file, image: await decodeRgb(file) };
          } catch (err) {
            return { file, error: firstLine((err as Error).message) };
          }
        }),
      );
      const ok = decoded.filter((d): d is PredictInput => d.image !== undefined);
      const results = this.run(ok);
      let r = 0;
      for (const d of decoded) {
        if (d.image !== undefined) yield { result: results[r++]!, image: d.image };
        else yield { failure: { file: d.file, error: `cannot decode the image: ${d.error ?? "?"}` } };
      }
    }
  }
}

function firstLine(s: string): string {
  return (s.split("\n").find((l) => l.trim() !== "") ?? "unknown error").trim();
}
