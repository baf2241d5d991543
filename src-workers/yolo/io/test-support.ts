/**
 * Test helpers for yolo/io: a minimal zip writer (STORED/DEFLATE, optional ZIP64) to make broken
 * archives, and reference digests of the fixture checkpoints.
 */
import { createHash } from "node:crypto";
import * as zlib from "node:zlib";
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";

export interface ZipInput {
  readonly name: string;
  readonly data: Uint8Array;
  readonly deflate?: boolean;
  /** Write this CRC instead of the real one (to test the check). */
  readonly crc?: number;
}

/** A zip of the entries; with zip64, every size and offset goes through the ZIP64 extra field and records. */
export function makeZip(entries: readonly ZipInput[], opts: { zip64?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const body = e.deflate ? zlib.deflateRawSync(e.data) : Buffer.from(e.data);
    const crc = e.crc ?? zlib.crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(opts.zip64 ? 45 : 20, 4);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, body);
    const extra = Buffer.alloc(opts.zip64 ? 28 : 0);
    if (opts.zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(e.data.length), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(45, 4);
    c.writeUInt16LE(opts.zip64 ? 45 : 20, 6);
    c.writeUInt16LE(e.deflate ? 8 : 0, 10);
    c.writeUInt32LE(crc >>> 0, 16);
    const sat = (v: number) => (opts.zip64 ? 0xffffffff : v);
    c.writeUInt32LE(sat(body.length), 20);
    c.writeUInt32LE(sat(e.data.length), 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt32LE(sat(offset), 42);
    central.push(c, name, extra);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (opts.zip64) {
    const e64 = Buffer.alloc(56);
    e64.writeUInt32LE(0x06064b50, 0);
    e64.writeBigUInt64LE(44n, 4);
    e64.writeBigUInt64LE(BigInt(entries.length), 24);
    e64.writeBigUInt64LE(BigInt(entries.length), 32);
    e64.writeBigUInt64LE(BigInt(cd.length), 40);
    e64.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(e64, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(opts.zip64 ? 0xffff : entries.length, 8);
  eocd.writeUInt16LE(opts.zip64 ? 0xffff : entries.length, 10);
  eocd.writeUInt32LE(opts.zip64 ? 0xffffffff : cd.length, 12);
  eocd.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...parts, cd, ...tail, eocd]);
}

/**
 * Computed independently with Debian's torch 1.13 (a pickle.Unpickler whose find_class maps the
 * ultralytics classes to empty nn.Module subclasses, then model.state_dict()): sha256 of every tensor's
 * bytes in state_dict order (stored dtype; and all as float32 via t.float()), the float64 sum of all values,
 * and a few tensors' sums and first values.
 */
export const PT_EXPECTED: Record<
  string,
  {
    sha256_native: string;
    sha256_float32: string;
    sum: number;
    numel: number;
    params: number;
    tensors: Record<string, { sum: number; first: number[] }>;
  }
> = {
  "yolo11n-nc80": {
    sha256_native: "f516d9ffd724803fc9da15c803e21a75aa1ea63f8c27966950f2e84f87e05ffb",
    sha256_float32: "cc3fed814ccef82c9e63740325394c7b1690aa0babd29908c04d089092909cab",
    sum: 7467.645947396755,
    numel: 2639825,
    tensors: {
      "model.0.conv.weight": {
        sum: -0.5907173156738281,
        first: [-0.0014410018920898438, 0.10321044921875, -0.158447265625, -0.1416015625],
      },
      "model.0.bn.running_var": {
        sum: 0.2983264923095703,
        first: [0.00569915771484375, 0.0389404296875, 0.00396728515625, 0.00749969482421875],
      },
      "model.10.m.0.attn.qkv.conv.weight": {
        sum: 5.3905874490737915,
        first: [0.039154052734375, -0.07550048828125, 0.0726318359375, 0.047393798828125],
      },
      "model.23.cv3.2.2.bias": {
        sum: -701.25,
        first: [-8.765625, -8.765625, -8.765625, -8.765625],
      },
      "model.23.cv2.0.2.weight": {
        sum: -6.693867743015289,
        first: [0.1197509765625, 0.111572265625, 0.0791015625, 0.01302337646484375],
      },
    },
    params: 2624080,
  },
  "yolo11n-shapes-nc5": {
    sha256_native: "1cbe5fa2b7ff11c23e3e5ab2461dd3c4a3bfd3d6b8c996c73cc4c0abf1448f95",
    sha256_float32: "e618a332102e1f8878507a59ae1f6aa89ab4a34e8887af021adbfce182866cc1",
    sum: 10870.825754284859,
    numel: 2606272,
    tensors: {
      "model.0.conv.weight": {
        sum: 0.45594072341918945,
        first: [-0.0006160736083984375, 0.1041259765625, -0.153076171875, -0.135498046875],
      },
      "model.0.bn.running_var": {
        sum: 0.2923583984375,
        first: [0.007678985595703125, 0.035980224609375, 0.005878448486328125, 0.01042938232421875],
      },
      "model.10.m.0.attn.qkv.conv.weight": {
        sum: 6.204855144023895,
        first: [0.049835205078125, -0.07379150390625, 0.0687255859375, 0.048583984375],
      },
      "model.23.cv3.2.2.bias": {
        sum: -30.3984375,
        first: [-6.078125, -6.08203125, -6.078125, -6.078125],
      },
      "model.23.cv2.0.2.weight": {
        sum: -41.041543543338776,
        first: [0.14794921875, 0.144287109375, 0.07769775390625, -0.047454833984375],
      },
    },
    params: 2590815,
  },
};

/** sha256 of the tensors' bytes in order, and the sum of all values (float64). */
export function digest(sd: ReadonlyMap<string, Tensor>): { sha256: string; sum: number } {
  const h = createHash("sha256");
  let sum = 0;
  for (const t of sd.values()) {
    const d = t.data();
    h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    sum += torch.tidy(() => t.to("float64").sum().item());
  }
  return { sha256: h.digest("hex"), sum };
}
