/**
 * torch.save's zip format: `<prefix>/data.pkl` is a pickle whose tensors are persistent ids
 * ('storage', storage type, key, location, numel) naming `<prefix>/data/<key>`. Unpickling gives
 * TensorRefs (dtype, storage, offset, size, stride) whose bytes are read only when a tensor is made,
 * so loading a checkpoint never touches the optimizer's or EMA's storages unless asked.
 */
import { openSync, readSync, closeSync } from "node:fs";
import * as torch from "../../torch/index.js";
import type { DType, Tensor } from "../../torch/index.js";
import { DataError } from "../../core/errors.js";
import { PyCallable, PyClass, isTuple, unpickle } from "./pickle.js";
import { ZipReader } from "./zip.js";

const STORAGE_DTYPES: Record<string, DType> = {
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  FloatStorage: "float32",
  DoubleStorage: "float64",
  LongStorage: "int64",
  IntStorage: "int32",
  ShortStorage: "int16",
  CharStorage: "int8",
  ByteStorage: "uint8",
  BoolStorage: "bool",
};
const TORCH_DTYPES: Record<string, DType> = {
  float16: "float16",
  half: "float16",
  bfloat16: "bfloat16",
  float32: "float32",
  float: "float32",
  float64: "float64",
  double: "float64",
  int64: "int64",
  long: "int64",
  int32: "int32",
  int: "int32",
  int16: "int16",
  int8: "int8",
  uint8: "uint8",
  bool: "bool",
};

export class StorageType {
  constructor(readonly dtype: DType) {}
}

/** One storage record of the archive, read (and size-checked) on first use. */
export class TorchStorage {
  private cached: Buffer | undefined;
  constructor(
    readonly dtype: DType,
    readonly key: string,
    readonly numel: number,
    private readonly load: () => Buffer,
  ) {}
  bytes(): Buffer {
    return (this.cached ??= this.load());
  }
}

/** A tensor as the pickle describes it; `toTensor()` makes the libtorch tensor. */
export class TensorRef {
  constructor(
    readonly storage: TorchStorage,
    readonly offset: number,
    readonly size: readonly number[],
    readonly stride: readonly number[],
    readonly isParameter = false,
  ) {}
  get dtype(): DType {
    return this.storage.dtype;
  }
  get numel(): number {
    return this.size.reduce((a, b) => a * b, 1);
  }
}

const nums = (v: unknown, what: string): number[] => {
  if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x) && (x as number) >= 0))
    throw new Error(`${what} is not a tuple of non-negative ints`);
  return v as number[];
};

function rebuildTensor(a: readonly unknown[]): TensorRef {
  const [storage, offset] = a;
  if (!(storage instanceof TorchStorage)) throw new Error("the first argument is not a storage");
  if (!Number.isSafeInteger(offset)) throw new Error("storage offset is not an int");
  const size = nums(a[2], "size");
  const stride = nums(a[3], "stride");
  if (size.length !== stride.length) throw new Error("size and stride differ in length");
  return new TensorRef(storage, offset as number, size, stride);
}

function rebuildParameter(a: readonly unknown[]): TensorRef {
  const t = a[0];
  if (!(t instanceof TensorRef)) throw new Error("the data is not a tensor");
  return new TensorRef(t.storage, t.offset, t.size, t.stride, true);
}

function torchGlobals(): Map<string, unknown> {
  const g = new Map<string, unknown>();
  const fn = (name: string, f: (a: readonly unknown[]) => unknown) => g.set(name, new PyCallable(name, f));
  fn("torch._utils._rebuild_tensor_v2", rebuildTensor);
  fn("torch._utils._rebuild_parameter", rebuildParameter);
  fn("torch._utils._rebuild_parameter_with_state", rebuildParameter);
  // torch 2.x wraps tensor subclasses (incl. Parameter with attributes) as (func, type, args, state).
  fn("torch._tensor._rebuild_from_type_v2", (a) => {
    const [f, , args] = a;
    if (!(f instanceof PyCallable) || !isTuple(args)) throw new Error("unexpected arguments");
    return f.call(args);
  });
  fn("torch.Size", (a) => nums(a[0], "torch.Size"));
  fn("torch.device", (a) => (typeof a[1] === "number" ? `${String(a[0])}:${a[1]}` : String(a[0])));
  for (const [n, d] of Object.entries(STORAGE_DTYPES)) g.set(`torch.${n}`, new StorageType(d));
  for (const [n, d] of Object.entries(TORCH_DTYPES)) g.set(`torch.${n}`, d);
  return g;
}

export interface TorchArchive {
  readonly file: string;
  readonly prefix: string;
  /** The unpickled object (Maps, arrays, PyObjects, TensorRefs). */
  readonly root: unknown;
  close(): void;
}

function checkNotLegacy(path: string): void {
  const fd = openSync(path, "r");
  const head = Buffer.alloc(2);
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x80 && head[1] !== undefined && head[1] <= 5)
    throw new DataError(
      "legacy torch.save format (before PyTorch 1.6, not a zip): re-save it with a newer torch",
      path,
    );
}

/** Open a torch.save zip and unpickle its data.pkl; storages stay on disk until used. Call close(). */
export function openTorchArchive(path: string): TorchArchive {
  checkNotLegacy(path);
  const zip = ZipReader.open(path);
  try {
    const pkl = zip.names.find((n) => /^[^/]+\/data\.pkl$/.test(n));
    if (!pkl) throw new DataError("no <name>/data.pkl in the zip: not a torch.save checkpoint", path);
    const prefix = pkl.slice(0, -"/data.pkl".length);
    const order = zip.has(`${prefix}/byteorder`)
      ? zip.read(`${prefix}/byteorder`).toString().trim()
      : "little";
    if (order !== "little") throw new DataError(`byte order '${order}' is not supported`, path);
    const storages = new Map<string, TorchStorage>();
    const persistentLoad = (pid: unknown): unknown => {
      if (!isTuple(pid) || pid[0] !== "storage") throw new Error(`unknown persistent id ${String(pid)}`);
      const [, type, key, , numel] = pid;
      if (!(type instanceof StorageType)) {
        const name = type instanceof PyClass ? type.name : String(type);
        throw new Error(`unsupported storage type ${name}`);
      }
      if (typeof key !== "string" || !Number.isSafeInteger(numel)) throw new Error("malformed storage id");
      const have = storages.get(key);
      if (have) return have;
      const entry = `${prefix}/data/${key}`;
      const s = new TorchStorage(type.dtype, key, numel as number, () => {
        const want = (numel as number) * torch.BYTES_PER_ELEMENT[type.dtype];
        const size = zip.entry(entry).size;
        if (size !== want)
          throw new DataError(
            `corrupt storage size: '${entry}' holds ${size} bytes, ${String(numel)} x ${type.dtype} needs ${want}`,
            path,
          );
        return zip.read(entry);
      });
      storages.set(key, s);
      return s;
    };
    const root = unpickle(zip.read(pkl), {
      source: `${path}: ${pkl}`,
      globals: torchGlobals(),
      persistentLoad,
    });
    return { file: path, prefix, root, close: () => zip.close() };
  } catch (err) {
    zip.close();
    throw err;
  }
}

/** The libtorch tensor of a TensorRef, in its stored dtype (strided views gathered into a contiguous copy). */
export function toTensor(ref: TensorRef, file: string): Tensor {
  const es = torch.BYTES_PER_ELEMENT[ref.dtype];
  const n = ref.numel;
  const last = ref.size.reduce((acc, s, i) => acc + (s - 1) * ref.stride[i]!, ref.offset);
  if (n > 0 && last >= ref.storage.numel)
    throw new DataError(
      `a tensor of size [${ref.size.join(", ")}] at offset ${ref.offset} runs past its storage '${ref.storage.key}' (${ref.storage.numel} elements)`,
      file,
    );
  const src = ref.storage.bytes();
  let out: Buffer;
  let contiguous = true;
  for (let i = ref.size.length - 1, expect = 1; i >= 0; i--) {
    if (ref.size[i]! !== 1 && ref.stride[i] !== expect) contiguous = false;
    expect *= ref.size[i]!;
  }
  if (contiguous) out = Buffer.from(src.subarray(ref.offset * es, (ref.offset + n) * es));
  else {
    out = Buffer.alloc(n * es);
    const idx = ref.size.map(() => 0);
    for (let k = 0; k < n; k++) {
      const at = idx.reduce((acc, v, i) => acc + v * ref.stride[i]!, ref.offset);
      src.copy(out, k * es, at * es, (at + 1) * es);
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d]! < ref.size[d]!) break;
        idx[d] = 0;
      }
    }
  }
  return torch.tensor(out, [...ref.size], { dtype: ref.dtype });
}
