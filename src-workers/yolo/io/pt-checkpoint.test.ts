import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { readUltralyticsCheckpoint, type UltralyticsCheckpoint } from "./pt-checkpoint.js";
import { digest, makeZip, PT_EXPECTED as EXPECTED } from "./test-support.js";
import { TensorRef, TorchStorage, toTensor } from "./torch-pickle.js";
import { ZipReader } from "./zip.js";

const DATA = join(import.meta.dirname, "../../../tests/data/yolo11");
const pt = (name: string) => join(DATA, `${name}.pt`);

interface StateJson {
  state_dict: { key: string; shape: number[]; dtype: string }[];
  model_attributes: { yaml: unknown; names: Record<string, string>; nc: number; stride: number[] };
  checkpoint_top_level: { date: string; version: string; epoch: number };
}
const stateJson = JSON.parse(readFileSync(join(DATA, "yolo11n-nc80.state.json"), "utf8")) as StateJson;

const dir = mkdtempSync(join(tmpdir(), "azaion-pt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(["yolo11n-nc80", "yolo11n-shapes-nc5"])("readUltralyticsCheckpoint(%s.pt)", (name) => {
  let ck: UltralyticsCheckpoint;
  const exp = EXPECTED[name]!;
  beforeAll(() => {
    ck = readUltralyticsCheckpoint(pt(name));
  });
  afterAll(() => torch.dispose([...ck.stateDict.values()]));

  it("has the state_dict keys, order, shapes and dtypes of the reference", () => {
    const got = [...ck.stateDict].map(([key, t]) => ({ key, shape: t.shape, dtype: t.dtype }));
    if (name === "yolo11n-nc80") {
      expect(got).toEqual(stateJson.state_dict);
      return;
    }
    // The nc=5 model differs only in the Detect head's class branch (its width is max(64, min(nc, 100))).
    const cls = (k: string) => /^model\.23\.cv3\./.test(k);
    const strip = (e: { key: string; shape: number[]; dtype: string }) =>
      cls(e.key) ? { ...e, shape: [] } : e;
    expect(got.map(strip)).toEqual(stateJson.state_dict.map(strip));
    expect(ck.stateDict.get("model.23.cv3.0.2.bias")!.shape).toEqual([5]);
    expect(ck.stateDict.get("model.23.cv3.2.2.weight")!.shape).toEqual([5, 64, 1, 1]);
  });

  it("holds the reference values, bit for bit", () => {
    const { sha256, sum } = digest(ck.stateDict);
    expect(sha256).toBe(exp.sha256_native);
    expect(sum).toBeCloseTo(exp.sum, 6);
    expect([...ck.stateDict.values()].reduce((n, t) => n + t.numel, 0)).toBe(exp.numel);
    for (const [k, e] of Object.entries(exp.tensors)) {
      const t = ck.stateDict.get(k)!;
      expect(torch.tidy(() => t.to("float64").sum().item())).toBeCloseTo(e.sum, 9);
      expect(t.toNumbers().slice(0, 4)).toEqual(e.first);
    }
    expect(ck.stateDict.get("model.23.dfl.conv.weight")!.toNumbers()).toEqual([...Array(16).keys()]);
    const nbt = ck.stateDict.get("model.0.bn.num_batches_tracked")!;
    expect(nbt.dtype).toBe("int64");
    expect(nbt.shape).toEqual([]);
    expect(nbt.item()).toBe(0);
    let params = 0;
    for (const k of ck.parameterKeys) params += ck.stateDict.get(k)!.numel;
    expect(params).toBe(exp.params);
  });

  it("reads the model's attributes and the checkpoint's summary", () => {
    expect(ck.modelClass).toBe("ultralytics.nn.tasks.DetectionModel");
    expect(ck.scale).toBe("n");
    expect(ck.stride).toEqual([8, 16, 32]);
    expect(ck.version).toBe("8.3.253");
    expect(ck.epoch).toBe(-1);
    expect(ck.bestFitness).toBeNull();
    expect(ck.trainArgs.task).toBe("detect");
    expect(ck.trainArgs.imgsz).toBe(320);
    if (name === "yolo11n-nc80") {
      const attrs = stateJson.model_attributes;
      expect(ck.nc).toBe(80);
      expect(ck.yaml).toEqual(attrs.yaml);
      expect(ck.names).toEqual(
        Object.fromEntries(Object.entries(attrs.names).map(([k, v]) => [Number(k), v])),
      );
      expect(ck.date).toBe(stateJson.checkpoint_top_level.date);
      expect(Object.keys(ck.trainArgs)).toHaveLength(105);
      expect(ck.trainMetrics).toEqual({});
    } else {
      expect(ck.nc).toBe(5);
      expect(Object.keys(ck.names)).toHaveLength(5);
      expect(ck.yaml.nc).toBe(5);
      expect(ck.trainArgs.epochs).toBe(30);
      expect(ck.trainMetrics["metrics/mAP50-95(B)"]).toBeCloseTo(0.28027, 5);
    }
  });
});

describe("malformed checkpoints", () => {
  /** The nc80 fixture's entries, changed by `edit`, written as a new zip. */
  function rewrite(file: string, edit: (name: string, data: Buffer) => Buffer | null): string {
    const z = ZipReader.open(pt("yolo11n-nc80"));
    const entries: { name: string; data: Uint8Array }[] = [];
    try {
      for (const n of z.names) {
        const d = edit(n, z.read(n));
        if (d) entries.push({ name: n, data: d });
      }
    } finally {
      z.close();
    }
    const p = join(dir, file);
    writeFileSync(p, makeZip(entries));
    return p;
  }

  it("truncated file", () => {
    const whole = readFileSync(pt("yolo11n-nc80"));
    const p = join(dir, "cut.pt");
    writeFileSync(p, whole.subarray(0, 3_000_000));
    expect(() => readUltralyticsCheckpoint(p)).toThrow(`${p}: truncated zip file`);
  });

  it("no data.pkl", () => {
    const p = rewrite("nopkl.pt", (n, d) => (n.endsWith("data.pkl") ? null : d));
    expect(() => readUltralyticsCheckpoint(p)).toThrow(`${p}: no <name>/data.pkl in the zip`);
  });

  it("a global function that is not allow-listed", () => {
    const p = rewrite("evil.pt", (n, d) =>
      n.endsWith("data.pkl")
        ? Buffer.from(
            d.toString("latin1").replace("ctorch._utils\n_rebuild_parameter\n", "cposix\nsystem\n"),
            "latin1",
          )
        : d,
    );
    expect(() => readUltralyticsCheckpoint(p)).toThrow(
      new RegExp(`^${p}: yolo11n-nc80/data.pkl: pickle byte \\d+: refusing to call posix\\.system`),
    );
  });

  it("a storage of the wrong size", () => {
    const p = rewrite("short.pt", (n, d) => (n === "yolo11n-nc80/data/0" ? d.subarray(0, 100) : d));
    expect(() => readUltralyticsCheckpoint(p)).toThrow(
      `${p}: corrupt storage size: 'yolo11n-nc80/data/0' holds 100 bytes, 432 x float16 needs 864`,
    );
  });

  it("the legacy (pre-zip) torch format", () => {
    const p = join(dir, "legacy.pt");
    writeFileSync(p, Buffer.from([0x80, 0x02, 0x8a, 0x0a]));
    expect(() => readUltralyticsCheckpoint(p)).toThrow(`${p}: legacy torch.save format`);
  });
});

describe("toTensor", () => {
  it("gathers non-contiguous views and checks bounds", () => {
    const bytes = Buffer.from(new Float32Array([0, 1, 2, 3, 4, 5, 6]).buffer);
    const storage = new TorchStorage("float32", "0", 7, () => bytes);
    // A transposed 2x3 view starting at element 1: rows are [1, 3, 5] and [2, 4, 6].
    const t = toTensor(new TensorRef(storage, 1, [2, 3], [1, 2]), "x.pt");
    expect(t.toArray()).toEqual([
      [1, 3, 5],
      [2, 4, 6],
    ]);
    t.dispose();
    expect(() => toTensor(new TensorRef(storage, 2, [2, 3], [3, 1]), "x.pt")).toThrow(
      "x.pt: a tensor of size [2, 3] at offset 2 runs past its storage '0' (7 elements)",
    );
  });
});
