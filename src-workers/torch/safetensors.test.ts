import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "./index.js";
import type { DType, Tensor } from "./index.js";

/** Written by tests/torch/gen_optim_reference.py (PyTorch 1.13, a writer following the reference implementation). */
interface Interop {
  file: string;
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; values: (number | boolean)[] }>;
}
const REF = join(import.meta.dirname, "..", "..", "tests", "torch", "reference", "safetensors-interop.json");
const interop = JSON.parse(readFileSync(REF, "utf8")) as Interop;
const DT: Record<string, DType> = {
  F32: "float32",
  F64: "float64",
  F16: "float16",
  BF16: "bfloat16",
  I64: "int64",
  I32: "int32",
  I16: "int16",
  I8: "int8",
  U8: "uint8",
  BOOL: "bool",
};

const dir = mkdtempSync(join(tmpdir(), "azaion-st-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tmp = (name = "t") => join(dir, `${name}-${n++}.safetensors`);

/** The interop tensors made on our side from the reference values. */
function referenceTensors(): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(interop.tensors)) {
    const dtype = DT[t.dtype]!;
    const values = t.values.map(Number);
    const flat =
      dtype === "float64"
        ? torch.tensor(new Float64Array(values), [values.length])
        : torch.tensor(values, { dtype });
    out[name] = flat.reshape(...t.shape);
    flat.dispose();
  }
  return out;
}

function expectMatchesReference(tensors: Record<string, Tensor>): void {
  expect(Object.keys(tensors).sort()).toEqual(Object.keys(interop.tensors).sort());
  for (const [name, want] of Object.entries(interop.tensors)) {
    const got = tensors[name]!;
    expect(got.dtype, name).toBe(DT[want.dtype]);
    expect(got.shape, name).toEqual(want.shape);
    expect(got.toNumbers(), name).toEqual(want.values.map(Number));
  }
}

/** A file from a header object (or raw header text) and data bytes. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): string {
  const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(json.length));
  const path = tmp("bad");
  writeFileSync(path, Buffer.concat([len, json, data]));
  return path;
}

describe("safetensors interop with the Python side", () => {
  it("reads the file written by the Python generator (sync and async)", async () => {
    const path = tmp("python");
    writeFileSync(path, Buffer.from(interop.file, "base64"));
    const before = torch.liveTensors().count;
    const sync = torch.loadSafetensorsSync(path);
    expect(sync.metadata).toEqual(interop.metadata);
    expect(JSON.parse(sync.metadata.azaion!)).toEqual({
      epoch: 3,
      names: ["car", "truck"],
      nested: { lr: 0.01 },
    });
    expectMatchesReference(sync.tensors);
    torch.dispose(sync.tensors);
    const async = await torch.loadSafetensors(path);
    expectMatchesReference(async.tensors);
    torch.dispose(async.tensors);
    expect(torch.liveTensors().count).toBe(before);
  });

  it("writes the same bytes as the Python writer (order, header, padding)", async () => {
    const want = Buffer.from(interop.file, "base64");
    const tensors = referenceTensors();
    const a = tmp("ours");
    torch.saveSafetensorsSync(a, tensors, interop.metadata);
    expect(readFileSync(a).equals(want)).toBe(true);
    const b = tmp("ours-async");
    await torch.saveSafetensors(b, new Map(Object.entries(tensors)), interop.metadata);
    expect(readFileSync(b).equals(want)).toBe(true);
    // Header padded with spaces to a multiple of 8.
    const len = Number(want.readBigUInt64LE(0));
    expect(len % 8).toBe(0);
    torch.dispose(tensors);
  });
});

describe("safetensors reading and writing", () => {
  it("opens lazily: header first, each tensor read by offset on demand", async () => {
    const tensors = torch.tidy(() => ({
      "a.weight": torch.arange(0, 12, 1, { dtype: "float32" }).reshape(3, 4),
      "b.bias": torch.tensor([1, 2, 3], { dtype: "int32" }),
      c: torch.tensor([0.5, 2], { dtype: "float16" }),
    }));
    const path = tmp();
    await torch.saveSafetensors(path, tensors, { note: "hi" });
    const f = await torch.openSafetensors(path);
    expect(f.names).toEqual(["a.weight", "b.bias", "c"]); // F32 > I32 > F16, then by name
    expect(f.metadata).toEqual({ note: "hi" });
    expect(f.info("b.bias")).toMatchObject({
      dtype: "int32",
      stDtype: "I32",
      shape: [3],
      dataOffsets: [48, 60],
      byteLength: 12,
    });
    expect(f.has("zzz")).toBe(false);
    const b = await f.load("b.bias");
    expect(b.toNumbers()).toEqual([1, 2, 3]);
    await expect(f.load("zzz")).rejects.toThrow(`${path}: no tensor named 'zzz'`);
    await f.close();
    await expect(f.load("c")).rejects.toThrow(/after close/);
    const s = torch.openSafetensorsSync(path);
    const a = s.load("a.weight");
    expect(a.shape).toEqual([3, 4]);
    expect(a.toNumbers()).toEqual(Array.from({ length: 12 }, (_, i) => i));
    s.close();
    torch.dispose([tensors, a, b]);
  });

  it("round-trips every dtype, scalars, empty and non-contiguous tensors", () => {
    const tensors = torch.tidy(() => ({
      f32: torch.randn([5, 7], { seed: 1 }),
      f64: torch.randn([3], { dtype: "float64", seed: 2 }),
      f16: torch.randn([4], { seed: 3 }).half(),
      bf16: torch.randn([2, 3], { seed: 4 }).to("bfloat16"),
      i64: torch.tensor([-(2 ** 52), 0, 2 ** 52], { dtype: "int64" }),
      i32: torch.tensor([-5, 7], { dtype: "int32" }),
      i16: torch.tensor([-300], { dtype: "int16" }),
      i8: torch.tensor([-7, 7], { dtype: "int8" }),
      u8: torch.tensor([255, 0], { dtype: "uint8" }),
      bool: torch.tensor([true, false, true]),
      scalar: torch.scalar(3.25),
      empty: torch.zeros([0, 4]),
      transposed: torch.arange(0, 6, 1, { dtype: "float32" }).reshape(2, 3).transpose(0, 1),
    }));
    const path = tmp();
    torch.saveSafetensorsSync(path, tensors);
    const back = torch.loadSafetensorsSync(path);
    expect(back.metadata).toEqual({});
    for (const [k, t] of Object.entries(tensors)) {
      const got = back.tensors[k]!;
      expect(got.dtype, k).toBe(t.dtype);
      expect(got.shape, k).toEqual(t.shape);
      expect(Array.from(got.data() as ArrayLike<unknown>), k).toEqual(
        Array.from(t.contiguous().data() as ArrayLike<unknown>),
      );
    }
    expect(back.tensors.transposed!.toNumbers()).toEqual([0, 3, 1, 4, 2, 5]);
    torch.dispose([tensors, back.tensors]);
  });

  it("writes large tensors in slices", async () => {
    // 72 MiB float32: more than one 64 MiB slice.
    const big = torch.arange(0, 18 * 1024 * 1024, 1, { dtype: "float32" });
    const path = tmp("big");
    await torch.saveSafetensors(path, { big });
    const f = torch.openSafetensorsSync(path);
    const back = f.load("big");
    f.close();
    expect(back.numel).toBe(big.numel);
    expect(back.eq(big).all().item()).toBe(1);
    torch.dispose([big, back]);
    rmSync(path);
  });

  it("replaces files atomically and leaves no temp file when a write fails", async () => {
    const path = tmp("atomic");
    const t = torch.tensor([1, 2, 3]);
    torch.saveSafetensorsSync(path, { t }, { v: "1" });
    const first = readFileSync(path);
    // A tensor that fails while its bytes are written (after the temp file exists): its handle
    // names no live tensor in the addon, so reading its data throws.
    const failing = {
      isDisposed: false,
      dtype: "float32",
      numel: 2,
      shape: [2],
      native: 123n,
    } as unknown as Tensor;
    expect(() => torch.saveSafetensorsSync(path, { t, zz: failing })).toThrow(
      `${path}: cannot write tensor 'zz': `,
    );
    await expect(torch.saveSafetensors(path, { t, zz: failing })).rejects.toThrow(/cannot write tensor 'zz'/);
    expect(() =>
      torch.saveSafetensorsSync(path, { t }, { v: 2 } as unknown as Record<string, string>),
    ).toThrow(/metadata 'v' must be a string/);
    expect(readFileSync(path).equals(first)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    // A successful save replaces it.
    torch.saveSafetensorsSync(path, { t }, { v: "2" });
    expect(torch.openSafetensorsSync(path).metadata).toEqual({ v: "2" });
    t.dispose();
  });

  it("rejects malformed files with errors naming the file", () => {
    const f32 = (shape: number[], offsets: [number, number]) => ({
      dtype: "F32",
      shape,
      data_offsets: offsets,
    });
    const cases: [string, string, RegExp][] = [
      [
        "short",
        (() => {
          const p = tmp("bad");
          writeFileSync(p, Buffer.from([1, 2, 3]));
          return p;
        })(),
        /too short/,
      ],
      [
        "huge header length",
        craft({}, undefined, 2n ** 40n),
        /header length 1099511627776 exceeds the 100000000-byte limit/,
      ],
      [
        "header past the end",
        craft({}, undefined, 1000n),
        /header length 1000 runs past the end of the file/,
      ],
      ["not JSON", craft("{not json}"), /header is not JSON/],
      ["not an object", craft("[1, 2]"), /not a JSON object/],
      [
        "unknown dtype",
        craft({ x: { dtype: "U16", shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2)),
        /tensor 'x': unknown or unsupported dtype "U16"/,
      ],
      [
        "out of bounds",
        craft({ x: f32([4], [0, 16]) }, new Uint8Array(8)),
        /tensor 'x' \(bytes \[0, 16\)\) lies beyond the end of the data section \(8 bytes\)/,
      ],
      [
        "overlap",
        craft({ x: f32([2], [0, 8]), y: f32([2], [4, 12]) }, new Uint8Array(12)),
        /tensor 'y' \(bytes \[4, 12\)\) overlaps tensor 'x'/,
      ],
      ["gap", craft({ x: f32([1], [0, 4]), y: f32([1], [8, 12]) }, new Uint8Array(12)), /leaving a gap/],
      [
        "shape/bytes",
        craft({ x: f32([3], [0, 8]) }, new Uint8Array(8)),
        /shape \[3\] of F32 needs 12 bytes, data_offsets \[0, 8\] hold 8/,
      ],
      ["trailing", craft({ x: f32([1], [0, 4]) }, new Uint8Array(8)), /trailing bytes/],
      ["metadata", craft({ __metadata__: { a: 1 } }), /__metadata__.a is not a string/],
      ["bad shape", craft({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 0] } }), /invalid shape/],
    ];
    for (const [what, path, msg] of cases) {
      expect(() => torch.openSafetensorsSync(path), what).toThrow(torch.SafetensorsError);
      expect(() => torch.openSafetensorsSync(path), what).toThrow(msg);
      expect(() => torch.openSafetensorsSync(path), what).toThrow(`${path}: `);
    }
    // A truncated copy of a real file.
    const whole = Buffer.from(interop.file, "base64");
    const cut = tmp("cut");
    writeFileSync(cut, whole.subarray(0, whole.length - 5));
    expect(() => torch.loadSafetensorsSync(cut)).toThrow(
      /the file is truncated or its offsets are out of bounds/,
    );
  });
});
