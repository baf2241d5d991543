/** Functions over several tensors and the neural-network functions (PyTorch's torch.* and F.*). */
import { nativeTorch, type Reduction } from "./native.js";
import { op, opt, wrap, wrapAll, type Operand, type Tensor } from "./tensor.js";

const T = () => nativeTorch();
const pair = (v: number | readonly number[]): number[] => (typeof v === "number" ? [v, v] : [...v]);

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(
    T().cat(
      tensors.map((t) => t.native),
      dim,
    ),
  );
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(
    T().stack(
      tensors.map((t) => t.native),
      dim,
    ),
  );
}

export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  return wrap(T().where(cond.native, op(a), op(b)));
}

export function meshgrid(tensors: readonly Tensor[], indexing: "ij" | "xy" = "ij"): Tensor[] {
  return wrapAll(
    T().meshgrid(
      tensors.map((t) => t.native),
      indexing,
    ),
  );
}

export function maximum(a: Tensor, b: Operand): Tensor {
  return a.maximum(b);
}

export function minimum(a: Tensor, b: Operand): Tensor {
  return a.minimum(b);
}

export interface Conv2dOptions {
  readonly stride?: number | readonly number[];
  readonly padding?: number | readonly number[];
  readonly dilation?: number | readonly number[];
  readonly groups?: number;
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: Conv2dOptions = {}): Tensor {
  return wrap(
    T().conv2d(
      x.native,
      weight.native,
      opt(bias),
      pair(o.stride ?? 1),
      pair(o.padding ?? 0),
      pair(o.dilation ?? 1),
      o.groups ?? 1,
    ),
  );
}

export interface BatchNormOptions {
  readonly weight?: Tensor | null;
  readonly bias?: Tensor | null;
  readonly runningMean?: Tensor | null;
  readonly runningVar?: Tensor | null;
  /** Batch statistics (and running statistics updated in place) when true. */
  readonly training?: boolean;
  readonly momentum?: number;
  readonly eps?: number;
}

export function batchNorm(x: Tensor, o: BatchNormOptions = {}): Tensor {
  return wrap(
    T().batchNorm(
      x.native,
      opt(o.weight),
      opt(o.bias),
      opt(o.runningMean),
      opt(o.runningVar),
      o.training ?? false,
      o.momentum ?? 0.1,
      o.eps ?? 1e-5,
    ),
  );
}

export interface MaxPoolOptions {
  readonly stride?: number | readonly number[];
  readonly padding?: number | readonly number[];
  readonly dilation?: number | readonly number[];
  readonly ceilMode?: boolean;
}

export function maxPool2d(x: Tensor, kernel: number | readonly number[], o: MaxPoolOptions = {}): Tensor {
  return wrap(
    T().maxPool2d(
      x.native,
      pair(kernel),
      o.stride === undefined ? pair(kernel) : pair(o.stride),
      pair(o.padding ?? 0),
      pair(o.dilation ?? 1),
      o.ceilMode ?? false,
    ),
  );
}

/** Nearest-neighbour upsampling by a scale factor, or to a size [h, w]. */
export function upsampleNearest2d(x: Tensor, by: number | { readonly size: readonly number[] }): Tensor {
  return typeof by === "number"
    ? wrap(T().upsampleNearest2d(x.native, by))
    : wrap(T().upsampleNearest2d(x.native, null, by.size));
}

export function softmax(x: Tensor, dim: number): Tensor {
  return x.softmax(dim);
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  return x.logSoftmax(dim);
}

export function bceWithLogits(
  input: Tensor,
  target: Tensor,
  o: { readonly weight?: Tensor; readonly posWeight?: Tensor; readonly reduction?: Reduction } = {},
): Tensor {
  return wrap(
    T().bceWithLogits(input.native, target.native, opt(o.weight), opt(o.posWeight), o.reduction ?? "mean"),
  );
}

export function crossEntropy(
  input: Tensor,
  target: Tensor,
  o: {
    readonly weight?: Tensor;
    readonly reduction?: Reduction;
    readonly ignoreIndex?: number;
    readonly labelSmoothing?: number;
  } = {},
): Tensor {
  return wrap(
    T().crossEntropy(
      input.native,
      target.native,
      opt(o.weight),
      o.reduction ?? "mean",
      o.ignoreIndex ?? -100,
      o.labelSmoothing ?? 0,
    ),
  );
}

export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return wrap(T().linear(x.native, weight.native, opt(bias)));
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  return a.matmul(b);
}

export function bmm(a: Tensor, b: Tensor): Tensor {
  return a.bmm(b);
}

/**
 * Greedy NMS, as torchvision.ops.nms: boxes (N, 4) as x1 y1 x2 y2, scores (N). Returns the kept
 * indices (int64) by descending score; a box is dropped when its IoU with a kept one exceeds iouThreshold.
 */
export function nms(boxes: Tensor, scores: Tensor, iouThreshold: number): Tensor {
  return wrap(T().nms(boxes.native, scores.native, iouThreshold));
}
