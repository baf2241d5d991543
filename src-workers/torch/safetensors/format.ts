/**
 * safetensors (https://huggingface.co/docs/safetensors): 8-byte little-endian header length, a JSON
 * header {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}} padded with spaces to a
 * multiple of 8 bytes, then the raw little-endian tensor data, back to back.
 *
 * Writing streams tensor by tensor (large tensors in chunks) into a temp file, fsyncs it and renames
 * it over the target, so a reader never sees a half-written file. Tensors are ordered as the reference
 * implementation orders them (descending dtype, then name), which keeps every tensor aligned to its
 * element size and makes the bytes deterministic. Reading parses and validates the header, then reads
 * each tensor's bytes by offset only when asked (openSafetensors); load/saveSafetensors are the
 * whole-file conveniences. Every error names the file. Sync variants (…Sync) do the same without awaits.
 */
import { randomBytes } from "node:crypto";
import { endianness } from "node:os";
import { basename, dirname, join } from "node:path";
import { BYTES_PER_ELEMENT, type DType } from "../dtype.js";
import { nativeTorch } from "../native.js";
import { wrap, type Tensor } from "../tensor.js";

/** The reference implementation's limit on the header size. */
export const MAX_HEADER_BYTES = 100_000_000;
/** Tensors larger than this are written in slices of this many bytes (rounded to whole elements). */
const CHUNK_BYTES = 64 * 1024 * 1024;

export type SafetensorsDtype = "BOOL" | "U8" | "I8" | "I16" | "F16" | "BF16" | "I32" | "F32" | "F64" | "I64";

const TO_ST: Record<DType, SafetensorsDtype> = {
  bool: "BOOL",
  uint8: "U8",
  int8: "I8",
  int16: "I16",
  float16: "F16",
  bfloat16: "BF16",
  int32: "I32",
  float32: "F32",
  float64: "F64",
  int64: "I64",
};
const FROM_ST = Object.fromEntries(Object.entries(TO_ST).map(([k, v]) => [v, k as DType])) as Record<
  SafetensorsDtype,
  DType
>;
/** The reference Dtype enum's order (increasing alignment); writing sorts by it, descending. */
const RANK = [
  "BOOL",
  "U8",
  "I8",
  "F8_E5M2",
  "F8_E4M3",
  "I16",
  "U16",
  "F16",
  "BF16",
  "I32",
  "U32",
  "F32",
  "F64",
  "I64",
  "U64",
];

/** A malformed or unreadable safetensors file; the message starts with the file's path. */
export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "SafetensorsError";
  }
}

/** Where one tensor lies in a file. */
export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly stDtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** [begin, end) relative to the start of the data section, as in the header. */
  readonly dataOffsets: readonly [number, number];
  /** Absolute position of the first byte in the file. */
  readonly fileOffset: number;
  readonly byteLength: number;
}

export interface LoadOptions {
  /** Put the tensor on this device (default the CPU). */
  readonly device?: string;
}

export interface ParsedHeader {
  metadata: Record<string, string>;
  /** In data-offset order. */
  infos: SafetensorsTensorInfo[];
}

// ---- header ---------------------------------------------------------------------------------

export function checkHost(): void {
  if (endianness() !== "LE") throw new Error("safetensors: only little-endian hosts are supported");
}

/** Parse and validate a header (the JSON bytes after the 8-byte length) against the data size. */
export function parseHeader(
  file: string,
  json: Uint8Array,
  headerLength: number,
  dataLength: number,
): ParsedHeader {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(json);
  } catch {
    throw new SafetensorsError(file, "the safetensors header is not valid UTF-8");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(file, `the safetensors header is not JSON (${(err as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new SafetensorsError(file, "the safetensors header is not a JSON object");
  const metadata: Record<string, string> = {};
  const infos: SafetensorsTensorInfo[] = [];
  const dataStart = 8 + headerLength;
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (entry === null || typeof entry !== "object" || Array.isArray(entry))
        throw new SafetensorsError(file, "__metadata__ is not an object");
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== "string") throw new SafetensorsError(file, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const bad = (what: string) => new SafetensorsError(file, `tensor '${name}': ${what}`);
    if (entry === null || typeof entry !== "object" || Array.isArray(entry))
      throw bad("header entry is not an object");
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e.dtype !== "string") throw bad("no dtype");
    if (!Object.hasOwn(FROM_ST, e.dtype))
      throw bad(
        `unknown or unsupported dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(FROM_ST).join(", ")})`,
      );
    const stDtype = e.dtype as SafetensorsDtype;
    const dtype = FROM_ST[stDtype];
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
      throw bad(`invalid shape ${JSON.stringify(e.shape)}`);
    const shape = e.shape as number[];
    const o = e.data_offsets;
    if (
      !Array.isArray(o) ||
      o.length !== 2 ||
      !o.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)
    ) {
      throw bad(`invalid data_offsets ${JSON.stringify(o)}`);
    }
    const [begin, end] = o as [number, number];
    if (end < begin) throw bad(`data_offsets [${begin}, ${end}] end before they begin`);
    let numel = 1;
    for (const d of shape) {
      numel *= d;
      if (!Number.isSafeInteger(numel)) throw bad(`shape [${shape.join(", ")}] is too large`);
    }
    const need = numel * BYTES_PER_ELEMENT[dtype];
    if (need !== end - begin)
      throw bad(
        `shape [${shape.join(", ")}] of ${stDtype} needs ${need} bytes, data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    infos.push({
      name,
      dtype,
      stDtype,
      shape,
      dataOffsets: [begin, end],
      fileOffset: dataStart + begin,
      byteLength: end - begin,
    });
  }
  infos.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let pos = 0;
  let prev: SafetensorsTensorInfo | undefined;
  for (const info of infos) {
    const [begin, end] = info.dataOffsets;
    if (begin < pos) {
      throw new SafetensorsError(
        file,
        `tensor '${info.name}' (bytes [${begin}, ${end})) overlaps tensor '${prev?.name}' (bytes [${prev?.dataOffsets[0]}, ${pos}))`,
      );
    }
    if (begin > pos)
      throw new SafetensorsError(
        file,
        `tensor '${info.name}' begins at byte ${begin} of the data, leaving a gap after byte ${pos}`,
      );
    if (end > dataLength) {
      throw new SafetensorsError(
        file,
        `tensor '${info.name}' (bytes [${begin}, ${end})) lies beyond the end of the data section (${dataLength} bytes): the file is truncated or its offsets are out of bounds`,
      );
    }
    pos = end;
    prev = info;
  }
  if (pos !== dataLength)
    throw new SafetensorsError(
      file,
      `the tensors cover ${pos} bytes of data but the file holds ${dataLength} (trailing bytes)`,
    );
  return { metadata, infos };
}

/** Check the 8-byte header length against the file size; returns it as a number. */
export function checkSize(file: string, fileSize: number): void {
  if (fileSize < 8)
    throw new SafetensorsError(
      file,
      `the file is ${fileSize} bytes, too short for a safetensors header length (8 bytes)`,
    );
}

export function headerLength(file: string, prefix: Uint8Array, fileSize: number): number {
  const n = Buffer.from(prefix.buffer, prefix.byteOffset, 8).readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES))
    throw new SafetensorsError(
      file,
      `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`,
    );
  const len = Number(n);
  if (len < 2) throw new SafetensorsError(file, `header length ${len} is too small`);
  if (8 + len > fileSize)
    throw new SafetensorsError(
      file,
      `header length ${len} runs past the end of the file (${fileSize} bytes): truncated or not a safetensors file`,
    );
  return len;
}

interface PlanEntry {
  name: string;
  tensor: Tensor;
  stDtype: SafetensorsDtype;
  byteLength: number;
}

/** Order the tensors, build the padded header (with its 8-byte length in front). */
export function plan(
  file: string,
  tensors: Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>,
  metadata: Readonly<Record<string, string>> = {},
): { header: Buffer; entries: PlanEntry[]; total: number } {
  checkHost();
  const list =
    tensors instanceof Map
      ? [...(tensors as ReadonlyMap<string, Tensor>)]
      : Object.entries(tensors as Record<string, Tensor>);
  const entries: PlanEntry[] = list.map(([name, tensor]) => {
    if (name === "__metadata__") throw new SafetensorsError(file, "a tensor cannot be named __metadata__");
    if (tensor.isDisposed) throw new SafetensorsError(file, `tensor '${name}' is disposed`);
    const stDtype = TO_ST[tensor.dtype];
    return { name, tensor, stDtype, byteLength: tensor.numel * BYTES_PER_ELEMENT[tensor.dtype] };
  });
  entries.sort(
    (a, b) =>
      RANK.indexOf(b.stDtype) - RANK.indexOf(a.stDtype) ||
      Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)),
  );
  // Built by hand so that keys keep this order (an object would move integer-like names first).
  const parts: string[] = [];
  const metaKeys = Object.keys(metadata).sort();
  if (metaKeys.length > 0) {
    const m: string[] = [];
    for (const k of metaKeys) {
      const v = metadata[k];
      if (typeof v !== "string")
        throw new SafetensorsError(
          file,
          `metadata '${k}' must be a string (JSON-encode structured values), got ${typeof v}`,
        );
      m.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    parts.push(`"__metadata__":{${m.join(",")}}`);
  }
  let offset = 0;
  for (const e of entries) {
    const info = { dtype: e.stDtype, shape: e.tensor.shape, data_offsets: [offset, offset + e.byteLength] };
    parts.push(`${JSON.stringify(e.name)}:${JSON.stringify(info)}`);
    offset += e.byteLength;
  }
  const json = Buffer.from(`{${parts.join(",")}}`, "utf8");
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  if (padded > MAX_HEADER_BYTES)
    throw new SafetensorsError(
      file,
      `the header would be ${padded} bytes, over the ${MAX_HEADER_BYTES}-byte limit`,
    );
  const out = Buffer.alloc(8 + padded, 0x20);
  out.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(out, 8);
  return { header: out, entries, total: 8 + padded + offset };
}

/** The bytes to write, header first, then each tensor (big ones in slices), produced one at a time. */
export function* chunks(file: string, p: { header: Buffer; entries: PlanEntry[] }): Generator<Uint8Array> {
  yield p.header;
  const T = nativeTorch();
  for (const e of p.entries) {
    if (e.byteLength === 0) continue;
    try {
      if (e.byteLength <= CHUNK_BYTES) {
        yield new Uint8Array(nativeTorch().toBuffer(e.tensor.native));
        continue;
      }
      const elems = Math.max(1, Math.floor(CHUNK_BYTES / BYTES_PER_ELEMENT[e.tensor.dtype]));
      const flat = T.reshape(e.tensor.native, [-1]);
      try {
        const n = e.tensor.numel;
        for (let s = 0; s < n; s += elems) {
          const part = T.slice(flat, 0, s, Math.min(n, s + elems), 1);
          try {
            yield new Uint8Array(T.toBuffer(part));
          } finally {
            T.dispose(part);
          }
        }
      } finally {
        T.dispose(flat);
      }
    } catch (err) {
      if (err instanceof SafetensorsError) throw err;
      throw new SafetensorsError(file, `cannot write tensor '${e.name}': ${(err as Error).message}`);
    }
  }
}

export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

export function tensorFromBytes(
  info: SafetensorsTensorInfo,
  bytes: Uint8Array,
  device: string | undefined,
): Tensor {
  return wrap(nativeTorch().fromBuffer(bytes, info.shape, info.dtype, device));
}

/** Tensor infos by name, in header order. */
export class InfoIndex {
  readonly byName: Map<string, SafetensorsTensorInfo>;
  constructor(
    readonly path: string,
    readonly parsed: ParsedHeader,
  ) {
    this.byName = new Map(parsed.infos.map((i) => [i.name, i]));
  }
  get names(): string[] {
    return this.parsed.infos.map((i) => i.name);
  }
  info(name: string): SafetensorsTensorInfo {
    const i = this.byName.get(name);
    if (!i) throw new SafetensorsError(this.path, `no tensor named '${name}'`);
    return i;
  }
}
