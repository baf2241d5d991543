/**
 * The compiled addon (native/torch) and the typed shape of what it exports. Everything else in
 * src-workers/torch talks to libtorch through this one module.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { packageRoot } from "../core/package-root.js";
import { TorchError } from "./errors.js";

export type DTypeName =
  "float32" | "float64" | "float16" | "bfloat16" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";
export type Reduction = "mean" | "sum" | "none";
type Dims = number | readonly number[];

/**
 * A handle of one at::Tensor in the addon's table (a BigInt: generation and slot). Made only by the
 * functions below; numbers and booleans passed where a tensor may go are scalars.
 */
export type NativeTensor = bigint & { readonly __nativeTensor: unique symbol };

type N = NativeTensor;
type Operand = N | number | boolean;
type OptN = N | null | undefined;

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  decoupled: boolean;
  maximize: boolean;
}

export interface NativeTorch {
  setErrorClass(cls: new (message: string, op: string, inputs: string, detail: string) => Error): void;
  // one tensor
  dispose(t: N): void;
  isDisposed(t: N): boolean;
  shape(t: N): number[];
  dtype(t: N): DTypeName;
  device(t: N): string;
  numel(t: N): number;
  nbytes(t: N): number;
  requiresGrad(t: N): boolean;
  setRequiresGrad(t: N, on?: boolean): void;
  grad(t: N): N | null;
  setGrad(t: N, g: N | null): void;
  backward(t: N, gradient?: N | null, retainGraph?: boolean): void;
  toBuffer(t: N): ArrayBuffer;
  item(t: N): number | boolean;
  track(t: N): void;
  isContiguous(t: N): boolean;
  isLeaf(t: N): boolean;
  // creation
  fromBuffer(
    data: ArrayBufferView | ArrayBuffer,
    shape: readonly number[],
    dtype: DTypeName,
    device?: string,
  ): N;
  zeros(shape: readonly number[], dtype?: DTypeName, device?: string): N;
  ones(shape: readonly number[], dtype?: DTypeName, device?: string): N;
  empty(shape: readonly number[], dtype?: DTypeName, device?: string): N;
  full(shape: readonly number[], value: number | boolean, dtype?: DTypeName, device?: string): N;
  zerosLike(t: N, dtype?: DTypeName): N;
  onesLike(t: N, dtype?: DTypeName): N;
  fullLike(t: N, value: number | boolean, dtype?: DTypeName): N;
  arange(start: number, end: number, step: number, dtype?: DTypeName, device?: string): N;
  linspace(start: number, end: number, steps: number, dtype?: DTypeName, device?: string): N;
  scalarTensor(value: number | boolean, dtype?: DTypeName, device?: string): N;
  rand(shape: readonly number[], dtype?: DTypeName, device?: string, seed?: number): N;
  randn(shape: readonly number[], dtype?: DTypeName, device?: string, seed?: number): N;
  randint(
    low: number,
    high: number,
    shape: readonly number[],
    dtype?: DTypeName,
    device?: string,
    seed?: number,
  ): N;
  randperm(n: number, device?: string, seed?: number): N;
  to(t: N, dtype?: DTypeName | null, device?: string | null): N;
  // element-wise
  add(a: N, b: Operand, alpha?: number): N;
  sub(a: N, b: Operand, alpha?: number): N;
  mul(a: N, b: Operand): N;
  div(a: N, b: Operand): N;
  floorDivide(a: N, b: Operand): N;
  remainder(a: N, b: Operand): N;
  pow(a: N, b: Operand): N;
  eq(a: N, b: Operand): N;
  ne(a: N, b: Operand): N;
  lt(a: N, b: Operand): N;
  le(a: N, b: Operand): N;
  gt(a: N, b: Operand): N;
  ge(a: N, b: Operand): N;
  maximum(a: N, b: Operand): N;
  minimum(a: N, b: Operand): N;
  atan2(a: N, b: Operand): N;
  logicalAnd(a: N, b: Operand): N;
  logicalOr(a: N, b: Operand): N;
  logicalXor(a: N, b: Operand): N;
  rsub(a: N, b: Operand): N;
  rdiv(a: N, b: Operand): N;
  rpow(a: N, b: Operand): N;
  neg(a: N): N;
  abs(a: N): N;
  sign(a: N): N;
  sqrt(a: N): N;
  rsqrt(a: N): N;
  square(a: N): N;
  exp(a: N): N;
  log(a: N): N;
  log2(a: N): N;
  log1p(a: N): N;
  expm1(a: N): N;
  sin(a: N): N;
  cos(a: N): N;
  tan(a: N): N;
  atan(a: N): N;
  tanh(a: N): N;
  sigmoid(a: N): N;
  relu(a: N): N;
  silu(a: N): N;
  floor(a: N): N;
  ceil(a: N): N;
  round(a: N): N;
  trunc(a: N): N;
  reciprocal(a: N): N;
  logicalNot(a: N): N;
  isnan(a: N): N;
  isinf(a: N): N;
  isfinite(a: N): N;
  clamp(a: N, min?: Operand | null, max?: Operand | null): N;
  where(cond: N, a: Operand, b: Operand): N;
  lerp(a: N, b: N, weight: Operand): N;
  add_(a: N, b: Operand, alpha?: number): void;
  sub_(a: N, b: Operand, alpha?: number): void;
  mul_(a: N, b: Operand): void;
  div_(a: N, b: Operand): void;
  copy_(a: N, b: Operand): void;
  fill_(a: N, b: Operand): void;
  lerp_(a: N, b: N, weight: Operand): void;
  zero_(a: N): void;
  clamp_(a: N, min?: number | null, max?: number | null): void;
  // reductions
  sum(t: N, dims?: Dims | null, keepdim?: boolean, dtype?: DTypeName): N;
  mean(t: N, dims?: Dims | null, keepdim?: boolean): N;
  prod(t: N, dim?: number | null, keepdim?: boolean): N;
  amax(t: N, dims?: Dims | null, keepdim?: boolean): N;
  amin(t: N, dims?: Dims | null, keepdim?: boolean): N;
  max(t: N): N;
  max(t: N, dim: number, keepdim?: boolean): [N, N];
  min(t: N): N;
  min(t: N, dim: number, keepdim?: boolean): [N, N];
  argmax(t: N, dim?: number | null, keepdim?: boolean): N;
  argmin(t: N, dim?: number | null, keepdim?: boolean): N;
  any(t: N, dim?: number | null, keepdim?: boolean): N;
  all(t: N, dim?: number | null, keepdim?: boolean): N;
  cumsum(t: N, dim: number, dtype?: DTypeName): N;
  norm(t: N, p: number, dims?: Dims | null, keepdim?: boolean): N;
  var(t: N, dims?: Dims | null, unbiased?: boolean, keepdim?: boolean): N;
  std(t: N, dims?: Dims | null, unbiased?: boolean, keepdim?: boolean): N;
  sort(t: N, dim?: number, descending?: boolean, stable?: boolean): [N, N];
  argsort(t: N, dim?: number, descending?: boolean, stable?: boolean): N;
  topk(t: N, k: number, dim?: number, largest?: boolean, sorted?: boolean): [N, N];
  // indexing
  gather(t: N, dim: number, index: N): N;
  scatter(t: N, dim: number, index: N, src: Operand): N;
  scatterAdd(t: N, dim: number, index: N, src: N): N;
  indexSelect(t: N, dim: number, index: N): N;
  maskedFill(t: N, mask: N, value: Operand): N;
  maskedFill_(t: N, mask: N, value: Operand): void;
  maskedSelect(t: N, mask: N): N;
  nonzero(t: N): N;
  index(t: N, indices: readonly OptN[]): N;
  indexPut(t: N, indices: readonly OptN[], values: Operand, accumulate?: boolean): N;
  indexPut_(t: N, indices: readonly OptN[], values: Operand, accumulate?: boolean): void;
  slice(t: N, dim: number, start?: number | null, end?: number | null, step?: number): N;
  select(t: N, dim: number, index: number): N;
  oneHot(t: N, numClasses?: number): N;
  // shape
  view(t: N, shape: readonly number[]): N;
  reshape(t: N, shape: readonly number[]): N;
  permute(t: N, dims: readonly number[]): N;
  transpose(t: N, dim0: number, dim1: number): N;
  contiguous(t: N): N;
  squeeze(t: N, dim?: number | null): N;
  unsqueeze(t: N, dim: number): N;
  expand(t: N, shape: readonly number[]): N;
  repeat(t: N, repeats: readonly number[]): N;
  flip(t: N, dims: readonly number[]): N;
  flatten(t: N, startDim?: number, endDim?: number): N;
  clone(t: N): N;
  detach(t: N): N;
  cat(ts: readonly N[], dim?: number): N;
  stack(ts: readonly N[], dim?: number): N;
  split(t: N, sizeOrSections: number | readonly number[], dim?: number): N[];
  chunk(t: N, chunks: number, dim?: number): N[];
  unbind(t: N, dim?: number): N[];
  meshgrid(ts: readonly N[], indexing?: "ij" | "xy"): N[];
  // nn
  conv2d(
    x: N,
    w: N,
    b: OptN,
    stride: readonly number[],
    padding: readonly number[],
    dilation: readonly number[],
    groups: number,
  ): N;
  batchNorm(
    x: N,
    w: OptN,
    b: OptN,
    runningMean: OptN,
    runningVar: OptN,
    training: boolean,
    momentum: number,
    eps: number,
  ): N;
  maxPool2d(
    x: N,
    kernel: readonly number[],
    stride?: readonly number[] | null,
    padding?: readonly number[],
    dilation?: readonly number[],
    ceilMode?: boolean,
  ): N;
  upsampleNearest2d(x: N, scale: number | null, size?: readonly number[]): N;
  softmax(x: N, dim: number): N;
  logSoftmax(x: N, dim: number): N;
  bceWithLogits(x: N, target: N, weight?: OptN, posWeight?: OptN, reduction?: Reduction): N;
  crossEntropy(
    x: N,
    target: N,
    weight?: OptN,
    reduction?: Reduction,
    ignoreIndex?: number,
    labelSmoothing?: number,
  ): N;
  matmul(a: N, b: N): N;
  bmm(a: N, b: N): N;
  linear(x: N, w: N, b?: OptN): N;
  nms(boxes: N, scores: N, iouThreshold: number): N;
  // optim
  sgdStep(params: readonly N[], buffers: readonly N[], options: SgdOptions, first: readonly boolean[]): void;
  adamStep(
    params: readonly N[],
    expAvg: readonly N[],
    expAvgSq: readonly N[],
    maxExpAvgSq: readonly N[],
    steps: readonly number[],
    options: AdamOptions,
  ): void;
  clipGradNorm(params: readonly N[], maxNorm: number, normType?: number): number;
  zeroGrad(params: readonly N[], setToNone?: boolean): void;
  // runtime
  manualSeed(seed: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  cudaSynchronize(device?: number): void;
  cudaMemoryStats(device?: number): {
    allocated: number;
    peakAllocated: number;
    reserved: number;
    peakReserved: number;
  };
  /** Free and total bytes of a CUDA device (cudaMemGetInfo); throws without CUDA. */
  cudaMemGetInfo(device?: number): { free: number; total: number };
  /** CUDA autocast (float16) on or off; returns the previous state. */
  setAutocastEnabled(on: boolean): boolean;
  isAutocastEnabled(): boolean;
  liveTensors(): { count: number; bytes: number };
  buildInfo(): { torchVersion: string; cuda: boolean; cxx11Abi: number };
  // distributed (c10d): every collective settles off the JS thread
  distInit(o: {
    backend: "gloo" | "nccl";
    host: string;
    port: number;
    rank: number;
    worldSize: number;
    timeoutMs: number;
  }): Promise<number>;
  distAllreduce(
    group: number,
    ts: readonly N[],
    o: { op: "sum" | "avg"; grads: boolean; bucketBytes: number },
  ): Promise<void>;
  distBroadcast(group: number, ts: readonly N[], root: number, o: { bucketBytes: number }): Promise<void>;
  distBarrier(group: number): Promise<void>;
  distDestroy(group: number): void;
  distBackends(): { gloo: boolean; nccl: boolean };
}

export const ADDON_PATH = join(packageRoot(), "native", "torch", "build", "Release", "azaion_torch.node");

let loaded: NativeTorch | undefined;

/** The addon, loaded once; a missing build or libtorch gives one message saying what to do. */
export function nativeTorch(): NativeTorch {
  if (loaded) return loaded;
  if (!existsSync(ADDON_PATH)) {
    throw new Error(
      `the libtorch addon is not built (${ADDON_PATH}): run 'bash scripts/setup.sh', which installs libtorch ` +
        "(Debian: libtorch-dev) and builds it",
    );
  }
  const require = createRequire(import.meta.url);
  try {
    loaded = require(ADDON_PATH) as NativeTorch;
  } catch (err) {
    throw new Error(
      `cannot load the libtorch addon ${ADDON_PATH}: ${(err as Error).message}. ` +
        "Rebuild it with 'bash scripts/setup.sh' against the libtorch installed now.",
    );
  }
  loaded.setErrorClass(TorchError);
  // Thread count from the config key torch.threads as an environment override (tests set 1).
  const threads = Number(process.env.AZAION_TORCH__THREADS);
  if (Number.isInteger(threads) && threads > 0) loaded.setNumThreads(threads);
  return loaded;
}
