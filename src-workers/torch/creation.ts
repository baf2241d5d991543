/** Making tensors: from typed arrays and numbers, constants, ranges, seeded random numbers. */
import { dtypeOfArray, type DType } from "./dtype.js";
import { nativeTorch } from "./native.js";
import { wrap, type Scalar, type Tensor } from "./tensor.js";

export interface TensorOptions {
  readonly dtype?: DType;
  readonly device?: string;
}

export interface RandomOptions extends TensorOptions {
  /** Draw from a generator seeded with this for this call only (else the global one: manualSeed). */
  readonly seed?: number;
}

type Nested = number | boolean | readonly Nested[];

function shapeOf(data: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = (cur as readonly Nested[])[0] ?? 0;
  }
  return shape;
}

/**
 * A tensor from data: a typed array (its dtype inferred; float16/bfloat16 as Uint16Array with the dtype
 * named) with a shape, or nested arrays of numbers/booleans (float32 unless a dtype is given).
 */
export function tensor(
  data: ArrayBufferView | Nested,
  shapeOrOpts?: readonly number[] | TensorOptions,
  opts: TensorOptions = {},
): Tensor {
  const T = nativeTorch();
  if (ArrayBuffer.isView(data)) {
    const shape = Array.isArray(shapeOrOpts)
      ? (shapeOrOpts as readonly number[])
      : [data.byteLength / bytesPer(data)];
    const o = Array.isArray(shapeOrOpts) ? opts : ((shapeOrOpts as TensorOptions | undefined) ?? {});
    const dtype = o.dtype ?? dtypeOfArray(data);
    return wrap(T.fromBuffer(data, shape, dtype, o.device));
  }
  const o = (Array.isArray(shapeOrOpts) ? opts : (shapeOrOpts as TensorOptions | undefined)) ?? {};
  const shape = shapeOf(data);
  const flat: (number | boolean)[] = [];
  const walk = (v: Nested): void => {
    if (Array.isArray(v)) for (const x of v as readonly Nested[]) walk(x);
    else flat.push(v as number | boolean);
  };
  walk(data);
  const expected = shape.reduce((a, b) => a * b, 1);
  if (flat.length !== expected)
    throw new TypeError(
      `tensor(): ragged nested array (${flat.length} values for shape [${shape.join(", ")}])`,
    );
  const dtype: DType = o.dtype ?? (typeof flat[0] === "boolean" ? "bool" : "float32");
  const numbers = flat.map(Number);
  const buf = fill(dtype, numbers);
  if (buf) return wrap(T.fromBuffer(buf, shape, dtype, o.device));
  // float16/bfloat16: convert from float32 in libtorch.
  const f = T.fromBuffer(new Float32Array(numbers), shape, "float32");
  try {
    return wrap(T.to(f, dtype, o.device ?? null));
  } finally {
    T.dispose(f);
  }
}

function bytesPer(a: ArrayBufferView): number {
  return (a as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
}

function fill(dtype: DType, v: number[]): ArrayBufferView | undefined {
  switch (dtype) {
    case "float32":
      return new Float32Array(v);
    case "float64":
      return new Float64Array(v);
    case "int64":
      return BigInt64Array.from(v, (x) => BigInt(Math.trunc(x)));
    case "int32":
      return new Int32Array(v);
    case "int16":
      return new Int16Array(v);
    case "int8":
      return new Int8Array(v);
    case "uint8":
      return new Uint8Array(v);
    case "bool":
      return Uint8Array.from(v, (x) => (x ? 1 : 0));
    default:
      return undefined;
  }
}

export function scalar(value: Scalar, opts: TensorOptions = {}): Tensor {
  return wrap(
    nativeTorch().scalarTensor(
      value,
      opts.dtype ?? (typeof value === "boolean" ? "bool" : "float32"),
      opts.device,
    ),
  );
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return wrap(nativeTorch().zeros(shape, opts.dtype, opts.device));
}

export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return wrap(nativeTorch().ones(shape, opts.dtype, opts.device));
}

export function empty(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return wrap(nativeTorch().empty(shape, opts.dtype, opts.device));
}

export function full(shape: readonly number[], value: Scalar, opts: TensorOptions = {}): Tensor {
  return wrap(nativeTorch().full(shape, value, opts.dtype, opts.device));
}

export function zerosLike(t: Tensor, dtype?: DType): Tensor {
  return wrap(nativeTorch().zerosLike(t.native, dtype));
}

export function onesLike(t: Tensor, dtype?: DType): Tensor {
  return wrap(nativeTorch().onesLike(t.native, dtype));
}

export function fullLike(t: Tensor, value: Scalar, dtype?: DType): Tensor {
  return wrap(nativeTorch().fullLike(t.native, value, dtype));
}

/** [start, end) by step; int64 unless a dtype is given (as PyTorch for integer bounds). */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  const integral = Number.isInteger(s) && Number.isInteger(e) && Number.isInteger(step);
  return wrap(nativeTorch().arange(s, e, step, opts.dtype ?? (integral ? "int64" : "float32"), opts.device));
}

export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  return wrap(nativeTorch().linspace(start, end, steps, opts.dtype, opts.device));
}

export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return wrap(nativeTorch().rand(shape, opts.dtype, opts.device, opts.seed));
}

export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return wrap(nativeTorch().randn(shape, opts.dtype, opts.device, opts.seed));
}

export function randint(
  low: number,
  high: number,
  shape: readonly number[],
  opts: RandomOptions = {},
): Tensor {
  return wrap(nativeTorch().randint(low, high, shape, opts.dtype, opts.device, opts.seed));
}

export function randperm(n: number, opts: Omit<RandomOptions, "dtype"> = {}): Tensor {
  return wrap(nativeTorch().randperm(n, opts.device, opts.seed));
}
