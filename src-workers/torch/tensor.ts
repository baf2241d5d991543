/**
 * Tensor: the TypeScript face of one libtorch tensor. Methods mirror PyTorch's names (camelCase),
 * return new tensors (registered in the current scope), and end in `_` when they work in place.
 */
import { viewOf, type DType, type TypedArray } from "./dtype.js";
import { nativeTorch, type NativeTensor, type Reduction } from "./native.js";
import { register, unguard, type Scoped } from "./scope.js";

export type Scalar = number | boolean;
export type Operand = Tensor | Scalar;
type Dims = number | readonly number[];

const T = () => nativeTorch();

export function op(x: Operand): NativeTensor | Scalar {
  return x instanceof Tensor ? x.native : x;
}

export function opt(x: Tensor | null | undefined): NativeTensor | null {
  return x ? x.native : null;
}

export function wrap(n: NativeTensor): Tensor {
  return new Tensor(n);
}

export function wrapAll(ns: readonly NativeTensor[]): Tensor[] {
  return ns.map((n) => new Tensor(n));
}

export class Tensor implements Scoped {
  kept = false;
  private cachedShape: number[] | undefined;

  constructor(readonly native: NativeTensor) {
    register(this);
  }

  // ---- properties -----------------------------------------------------------------------------
  get shape(): number[] {
    return (this.cachedShape ??= T().shape(this.native));
  }
  get ndim(): number {
    return this.shape.length;
  }
  get dtype(): DType {
    return T().dtype(this.native);
  }
  get device(): string {
    return T().device(this.native);
  }
  get numel(): number {
    return T().numel(this.native);
  }
  get nbytes(): number {
    return T().nbytes(this.native);
  }
  get isDisposed(): boolean {
    return T().isDisposed(this.native);
  }
  get isLeaf(): boolean {
    return T().isLeaf(this.native);
  }
  size(dim: number): number {
    const s = this.shape;
    const d = dim < 0 ? s.length + dim : dim;
    if (d < 0 || d >= s.length) throw new RangeError(`size(${dim}): tensor has ${s.length} dims`);
    return s[d]!;
  }
  toString(): string {
    return `Tensor(${this.dtype}[${this.shape.join(", ")}]${this.device === "cpu" ? "" : ` @${this.device}`})`;
  }

  dispose(): void {
    if (this.kept) unguard(this);
    T().dispose(this.native);
  }

  // ---- data out ---------------------------------------------------------------------------------
  /** A copy of the data (contiguous, on the CPU) in the dtype's typed array. */
  data(): TypedArray {
    return viewOf(this.dtype, T().toBuffer(this.native));
  }
  /** The data as plain numbers, row-major (int64 converted; float16/bfloat16 go through float32). */
  toNumbers(): number[] {
    if (this.dtype === "float16" || this.dtype === "bfloat16") {
      const f = this.to("float32");
      try {
        return f.toNumbers();
      } finally {
        f.dispose();
      }
    }
    const d = this.data();
    return Array.from(d as ArrayLike<number | bigint>, Number);
  }
  /** Nested arrays in the tensor's shape. */
  toArray(): unknown {
    const flat = this.toNumbers();
    const shape = this.shape;
    const build = (dim: number, offset: number): unknown => {
      if (dim === shape.length) return flat[offset];
      const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return shape.length === 0 ? flat[0] : build(0, 0);
  }
  item(): number {
    return Number(T().item(this.native));
  }

  // ---- autograd -------------------------------------------------------------------------------
  get requiresGrad(): boolean {
    return T().requiresGrad(this.native);
  }
  requiresGrad_(on = true): this {
    T().setRequiresGrad(this.native, on);
    return this;
  }
  /** The accumulated gradient, or null; a new handle each call (scoped like any tensor). */
  get grad(): Tensor | null {
    const g = T().grad(this.native);
    return g ? wrap(g) : null;
  }
  set grad(g: Tensor | null) {
    T().setGrad(this.native, g ? g.native : null);
  }
  backward(gradient?: Tensor, retainGraph = false): void {
    T().backward(this.native, gradient ? gradient.native : null, retainGraph);
  }
  zeroGrad(): void {
    T().setGrad(this.native, null);
  }
  detach(): Tensor {
    return wrap(T().detach(this.native));
  }

  // ---- conversion -----------------------------------------------------------------------------
  to(dtype?: DType | null, device?: string | null): Tensor {
    return wrap(T().to(this.native, dtype ?? null, device ?? null));
  }
  toDevice(device: string): Tensor {
    return wrap(T().to(this.native, null, device));
  }
  float(): Tensor {
    return this.to("float32");
  }
  long(): Tensor {
    return this.to("int64");
  }
  bool(): Tensor {
    return this.to("bool");
  }
  half(): Tensor {
    return this.to("float16");
  }
  clone(): Tensor {
    return wrap(T().clone(this.native));
  }
  contiguous(): Tensor {
    return wrap(T().contiguous(this.native));
  }
  isContiguous(): boolean {
    return T().isContiguous(this.native);
  }

  // ---- element-wise -----------------------------------------------------------------------------
  add(o: Operand, alpha?: number): Tensor {
    return wrap(T().add(this.native, op(o), alpha));
  }
  sub(o: Operand, alpha?: number): Tensor {
    return wrap(T().sub(this.native, op(o), alpha));
  }
  mul(o: Operand): Tensor {
    return wrap(T().mul(this.native, op(o)));
  }
  div(o: Operand): Tensor {
    return wrap(T().div(this.native, op(o)));
  }
  /** Python's `//`: division rounded towards minus infinity. */
  floorDivide(o: Operand): Tensor {
    return wrap(T().floorDivide(this.native, op(o)));
  }
  remainder(o: Operand): Tensor {
    return wrap(T().remainder(this.native, op(o)));
  }
  pow(o: Operand): Tensor {
    return wrap(T().pow(this.native, op(o)));
  }
  /** o - this */
  rsub(o: Operand): Tensor {
    return wrap(T().rsub(this.native, op(o)));
  }
  /** o / this */
  rdiv(o: Operand): Tensor {
    return wrap(T().rdiv(this.native, op(o)));
  }
  /** o ** this */
  rpow(o: Operand): Tensor {
    return wrap(T().rpow(this.native, op(o)));
  }
  eq(o: Operand): Tensor {
    return wrap(T().eq(this.native, op(o)));
  }
  ne(o: Operand): Tensor {
    return wrap(T().ne(this.native, op(o)));
  }
  lt(o: Operand): Tensor {
    return wrap(T().lt(this.native, op(o)));
  }
  le(o: Operand): Tensor {
    return wrap(T().le(this.native, op(o)));
  }
  gt(o: Operand): Tensor {
    return wrap(T().gt(this.native, op(o)));
  }
  ge(o: Operand): Tensor {
    return wrap(T().ge(this.native, op(o)));
  }
  maximum(o: Operand): Tensor {
    return wrap(T().maximum(this.native, op(o)));
  }
  minimum(o: Operand): Tensor {
    return wrap(T().minimum(this.native, op(o)));
  }
  atan2(o: Operand): Tensor {
    return wrap(T().atan2(this.native, op(o)));
  }
  logicalAnd(o: Operand): Tensor {
    return wrap(T().logicalAnd(this.native, op(o)));
  }
  logicalOr(o: Operand): Tensor {
    return wrap(T().logicalOr(this.native, op(o)));
  }
  logicalXor(o: Operand): Tensor {
    return wrap(T().logicalXor(this.native, op(o)));
  }
  logicalNot(): Tensor {
    return wrap(T().logicalNot(this.native));
  }
  neg(): Tensor {
    return wrap(T().neg(this.native));
  }
  abs(): Tensor {
    return wrap(T().abs(this.native));
  }
  sign(): Tensor {
    return wrap(T().sign(this.native));
  }
  sqrt(): Tensor {
    return wrap(T().sqrt(this.native));
  }
  rsqrt(): Tensor {
    return wrap(T().rsqrt(this.native));
  }
  square(): Tensor {
    return wrap(T().square(this.native));
  }
  exp(): Tensor {
    return wrap(T().exp(this.native));
  }
  log(): Tensor {
    return wrap(T().log(this.native));
  }
  log2(): Tensor {
    return wrap(T().log2(this.native));
  }
  log1p(): Tensor {
    return wrap(T().log1p(this.native));
  }
  expm1(): Tensor {
    return wrap(T().expm1(this.native));
  }
  sin(): Tensor {
    return wrap(T().sin(this.native));
  }
  cos(): Tensor {
    return wrap(T().cos(this.native));
  }
  tan(): Tensor {
    return wrap(T().tan(this.native));
  }
  atan(): Tensor {
    return wrap(T().atan(this.native));
  }
  tanh(): Tensor {
    return wrap(T().tanh(this.native));
  }
  sigmoid(): Tensor {
    return wrap(T().sigmoid(this.native));
  }
  relu(): Tensor {
    return wrap(T().relu(this.native));
  }
  silu(): Tensor {
    return wrap(T().silu(this.native));
  }
  floor(): Tensor {
    return wrap(T().floor(this.native));
  }
  ceil(): Tensor {
    return wrap(T().ceil(this.native));
  }
  round(): Tensor {
    return wrap(T().round(this.native));
  }
  trunc(): Tensor {
    return wrap(T().trunc(this.native));
  }
  reciprocal(): Tensor {
    return wrap(T().reciprocal(this.native));
  }
  isnan(): Tensor {
    return wrap(T().isnan(this.native));
  }
  isinf(): Tensor {
    return wrap(T().isinf(this.native));
  }
  isfinite(): Tensor {
    return wrap(T().isfinite(this.native));
  }
  /** Bounds: numbers (or null for none), or tensors (or null). */
  clamp(min?: Operand | null, max?: Operand | null): Tensor {
    return wrap(T().clamp(this.native, min == null ? null : op(min), max == null ? null : op(max)));
  }
  clampMin(min: Operand): Tensor {
    return this.clamp(min, null);
  }
  clampMax(max: Operand): Tensor {
    return this.clamp(null, max);
  }
  lerp(end: Tensor, weight: Operand): Tensor {
    return wrap(T().lerp(this.native, end.native, op(weight)));
  }

  // ---- in place (return this) -----------------------------------------------------------------
  add_(o: Operand, alpha?: number): this {
    T().add_(this.native, op(o), alpha);
    return this;
  }
  sub_(o: Operand, alpha?: number): this {
    T().sub_(this.native, op(o), alpha);
    return this;
  }
  mul_(o: Operand): this {
    T().mul_(this.native, op(o));
    return this;
  }
  div_(o: Operand): this {
    T().div_(this.native, op(o));
    return this;
  }
  copy_(src: Operand): this {
    T().copy_(this.native, op(src));
    return this;
  }
  fill_(v: Operand): this {
    T().fill_(this.native, op(v));
    return this;
  }
  zero_(): this {
    T().zero_(this.native);
    return this;
  }
  clamp_(min?: number | null, max?: number | null): this {
    T().clamp_(this.native, min ?? null, max ?? null);
    return this;
  }
  lerp_(end: Tensor, weight: Operand): this {
    T().lerp_(this.native, end.native, op(weight));
    return this;
  }
  maskedFill_(mask: Tensor, value: Operand): this {
    T().maskedFill_(this.native, mask.native, op(value));
    return this;
  }
  indexPut_(indices: readonly (Tensor | null)[], values: Operand, accumulate = false): this {
    T().indexPut_(this.native, indices.map(opt), op(values), accumulate);
    return this;
  }

  // ---- reductions -----------------------------------------------------------------------------
  sum(dims?: Dims | null, keepdim = false, dtype?: DType): Tensor {
    return wrap(T().sum(this.native, dims ?? null, keepdim, dtype));
  }
  mean(dims?: Dims | null, keepdim = false): Tensor {
    return wrap(T().mean(this.native, dims ?? null, keepdim));
  }
  prod(dim?: number | null, keepdim = false): Tensor {
    return wrap(T().prod(this.native, dim ?? null, keepdim));
  }
  amax(dims?: Dims | null, keepdim = false): Tensor {
    return wrap(T().amax(this.native, dims ?? null, keepdim));
  }
  amin(dims?: Dims | null, keepdim = false): Tensor {
    return wrap(T().amin(this.native, dims ?? null, keepdim));
  }
  /** The largest element. */
  max(): Tensor {
    return wrap(T().max(this.native));
  }
  /** Largest along a dim: [values, indices]. */
  maxDim(dim: number, keepdim = false): [Tensor, Tensor] {
    const [v, i] = T().max(this.native, dim, keepdim);
    return [wrap(v), wrap(i)];
  }
  min(): Tensor {
    return wrap(T().min(this.native));
  }
  minDim(dim: number, keepdim = false): [Tensor, Tensor] {
    const [v, i] = T().min(this.native, dim, keepdim);
    return [wrap(v), wrap(i)];
  }
  argmax(dim?: number | null, keepdim = false): Tensor {
    return wrap(T().argmax(this.native, dim ?? null, keepdim));
  }
  argmin(dim?: number | null, keepdim = false): Tensor {
    return wrap(T().argmin(this.native, dim ?? null, keepdim));
  }
  any(dim?: number | null, keepdim = false): Tensor {
    return wrap(T().any(this.native, dim ?? null, keepdim));
  }
  all(dim?: number | null, keepdim = false): Tensor {
    return wrap(T().all(this.native, dim ?? null, keepdim));
  }
  cumsum(dim: number, dtype?: DType): Tensor {
    return wrap(T().cumsum(this.native, dim, dtype));
  }
  norm(p = 2, dims?: Dims | null, keepdim = false): Tensor {
    return wrap(T().norm(this.native, p, dims ?? null, keepdim));
  }
  var(dims?: Dims | null, unbiased = true, keepdim = false): Tensor {
    return wrap(T().var(this.native, dims ?? null, unbiased, keepdim));
  }
  std(dims?: Dims | null, unbiased = true, keepdim = false): Tensor {
    return wrap(T().std(this.native, dims ?? null, unbiased, keepdim));
  }
  sort(dim = -1, descending = false, stable = false): [Tensor, Tensor] {
    const [v, i] = T().sort(this.native, dim, descending, stable);
    return [wrap(v), wrap(i)];
  }
  argsort(dim = -1, descending = false, stable = false): Tensor {
    return wrap(T().argsort(this.native, dim, descending, stable));
  }
  topk(k: number, dim = -1, largest = true, sorted = true): [Tensor, Tensor] {
    const [v, i] = T().topk(this.native, k, dim, largest, sorted);
    return [wrap(v), wrap(i)];
  }

  // ---- indexing -------------------------------------------------------------------------------
  gather(dim: number, index: Tensor): Tensor {
    return wrap(T().gather(this.native, dim, index.native));
  }
  scatter(dim: number, index: Tensor, src: Operand): Tensor {
    return wrap(T().scatter(this.native, dim, index.native, op(src)));
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(T().scatterAdd(this.native, dim, index.native, src.native));
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return wrap(T().indexSelect(this.native, dim, index.native));
  }
  maskedFill(mask: Tensor, value: Operand): Tensor {
    return wrap(T().maskedFill(this.native, mask.native, op(value)));
  }
  maskedSelect(mask: Tensor): Tensor {
    return wrap(T().maskedSelect(this.native, mask.native));
  }
  nonzero(): Tensor {
    return wrap(T().nonzero(this.native));
  }
  /** Advanced indexing, as Python's t[i0, i1, ...]: one entry per leading dim, null for `:`. */
  index(indices: readonly (Tensor | null)[]): Tensor {
    return wrap(T().index(this.native, indices.map(opt)));
  }
  /** Boolean-mask indexing, as Python's t[mask]. */
  mask(mask: Tensor): Tensor {
    return this.index([mask]);
  }
  indexPut(indices: readonly (Tensor | null)[], values: Operand, accumulate = false): Tensor {
    return wrap(T().indexPut(this.native, indices.map(opt), op(values), accumulate));
  }
  /** A view of [start, end) with a step along dim, as Python's slicing (negative indices count from the end). */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return wrap(T().slice(this.native, dim, start ?? null, end ?? null, step));
  }
  select(dim: number, index: number): Tensor {
    return wrap(T().select(this.native, dim, index));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return this.slice(dim, start, start + length);
  }
  oneHot(numClasses = -1): Tensor {
    return wrap(T().oneHot(this.native, numClasses));
  }

  // ---- shape ----------------------------------------------------------------------------------
  view(...shape: number[]): Tensor {
    return wrap(T().view(this.native, shape));
  }
  reshape(...shape: number[]): Tensor {
    return wrap(T().reshape(this.native, shape));
  }
  permute(...dims: number[]): Tensor {
    return wrap(T().permute(this.native, dims));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return wrap(T().transpose(this.native, dim0, dim1));
  }
  squeeze(dim?: number): Tensor {
    return wrap(T().squeeze(this.native, dim ?? null));
  }
  unsqueeze(dim: number): Tensor {
    return wrap(T().unsqueeze(this.native, dim));
  }
  expand(...shape: number[]): Tensor {
    return wrap(T().expand(this.native, shape));
  }
  expandAs(other: Tensor): Tensor {
    return wrap(T().expand(this.native, other.shape));
  }
  repeat(...repeats: number[]): Tensor {
    return wrap(T().repeat(this.native, repeats));
  }
  flip(...dims: number[]): Tensor {
    return wrap(T().flip(this.native, dims));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return wrap(T().flatten(this.native, startDim, endDim));
  }
  split(sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
    return wrapAll(T().split(this.native, sizeOrSections, dim));
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return wrapAll(T().chunk(this.native, chunks, dim));
  }
  unbind(dim = 0): Tensor[] {
    return wrapAll(T().unbind(this.native, dim));
  }

  // ---- linear algebra and activations used as methods -------------------------------------------
  matmul(o: Tensor): Tensor {
    return wrap(T().matmul(this.native, o.native));
  }
  bmm(o: Tensor): Tensor {
    return wrap(T().bmm(this.native, o.native));
  }
  softmax(dim: number): Tensor {
    return wrap(T().softmax(this.native, dim));
  }
  logSoftmax(dim: number): Tensor {
    return wrap(T().logSoftmax(this.native, dim));
  }
}

export type { Reduction };
