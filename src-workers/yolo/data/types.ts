/**
 * The contract between the training data pipeline and the trainer/validator: batches of letterboxed
 * images as one float tensor and their targets as rows (batch_idx, cls, cx, cy, w, h), normalised to
 * the batch's image size — the form Ultralytics' v8DetectionLoss reads (src-workers/yolo/loss).
 */
import type { Tensor } from "../../torch/index.js";

export interface Batch {
  /** (B, 3, S, S) float32 in 0..1, RGB. */
  readonly images: Tensor;
  /** (N, 6): batch_idx, cls, cx, cy, w, h (normalised to S). */
  readonly targets: Tensor;
  /** Source image files, one per batch item. */
  readonly files: readonly string[];
  /** Original (height, width) of each item, and the letterbox (ratio, [padX, padY]) applied to it. */
  readonly shapes: readonly {
    readonly orig: readonly [number, number];
    readonly ratio: number;
    readonly pad: readonly [number, number];
  }[];
}

/** An epoch's batches; tensors of a batch belong to the caller, who disposes them. */
export interface BatchSource {
  /** Number of images (of the split). */
  readonly size: number;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
  /** Batches of an epoch (shuffled per epoch when training; mosaic off from the close-mosaic epoch on). */
  epoch(epoch: number): AsyncIterable<Batch>;
  /** Stop workers and free caches. */
  close(): Promise<void>;
}
