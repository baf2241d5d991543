import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { readUltralyticsCheckpoint } from "./pt-checkpoint.js";
import { PT_EXPECTED, digest } from "./test-support.js";
import {
  encodeMeta,
  importUltralytics,
  inspectWeights,
  loadWeights,
  packageVersion,
  saveWeights,
  type WeightsMeta,
} from "./weights.js";

const DATA = join(import.meta.dirname, "../../../tests/data/yolo11");
const dir = mkdtempSync(join(tmpdir(), "azaion-weights-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(["yolo11n-nc80", "yolo11n-shapes-nc5"])("importUltralytics(%s.pt)", (name) => {
  it("writes float32 weights that load back bit-identical, with identical metadata", async () => {
    const pt = join(DATA, `${name}.pt`);
    const out = join(dir, `${name}.safetensors`);
    const r = await importUltralytics(pt, out);
    const exp = PT_EXPECTED[name]!;
    expect(r.tensors).toBe(499);
    expect(r.parameters).toBe(exp.params);
    const m = r.meta;
    expect(m).toMatchObject({
      format: "azaion-yolo",
      formatVersion: 1,
      task: "detect",
      scale: "n",
      imgsz: 320,
      strides: [8, 16, 32],
      version: packageVersion(),
      source: "ultralytics 8.3.253 .pt import",
    });
    expect(m.date).toBe(name.endsWith("nc80") ? "2026-01-01T00:00:00" : "2026-11-29T20:40:40.273251");
    expect(m.names).toHaveLength(m.nc);
    expect(m.trainArgs.task).toBe("detect");

    const w = await loadWeights(out);
    const ck = readUltralyticsCheckpoint(pt);
    try {
      expect(w.meta).toEqual(m);
      // The file keeps safetensors' order (dtype, then name); the keys are the same.
      expect([...w.stateDict.keys()].sort()).toEqual([...ck.stateDict.keys()].sort());
      for (const t of w.stateDict.values()) expect(t.dtype).toBe("float32");
      // The float32 bytes, in state-dict order, hash as torch 1.13's fp16 -> fp32 conversion does.
      const inOrder = new Map([...ck.stateDict.keys()].map((k) => [k, w.stateDict.get(k)!]));
      expect(digest(inOrder).sha256).toBe(exp.sha256_float32);
      for (const [k, t] of ck.stateDict) {
        const same = torch.tidy(() => t.to("float32").eq(w.stateDict.get(k)!).all().item());
        expect(same, k).toBe(1);
      }
    } finally {
      torch.dispose([...w.stateDict.values(), ...ck.stateDict.values()]);
    }

    const info = await inspectWeights(out);
    expect(info).toMatchObject({
      tensors: 499,
      parameters: exp.params,
      elements: exp.numel,
      dtypes: ["float32"],
    });
    if (name.endsWith("nc5")) {
      expect(m.nc).toBe(5);
      expect(m.metrics["metrics/mAP50-95(B)"]).toBeCloseTo(0.28027, 5);
    } else {
      expect(m.nc).toBe(80);
      expect(m.names.slice(0, 3)).toEqual(["person", "bicycle", "car"]);
    }
  });
});

describe("weights metadata", () => {
  const meta: WeightsMeta = {
    format: "azaion-yolo",
    formatVersion: 1,
    task: "detect",
    scale: "n",
    nc: 2,
    names: ["a", "b"],
    imgsz: 640,
    strides: [8, 16, 32],
    trainArgs: { epochs: 3 },
    metrics: {},
    date: "2026-02-03T04:05:06.000Z",
    version: "0.1.0",
    source: "test",
  };
  const tensors = () =>
    new Map([
      ["model.0.conv.weight", torch.ones([2, 3], { dtype: "float16" })],
      ["model.0.bn.num_batches_tracked", torch.scalar(7, { dtype: "int64" })],
    ]);

  it("round-trips, converting every tensor to float32", async () => {
    const p = join(dir, "small.safetensors");
    const sd = tensors();
    await saveWeights(p, sd, meta);
    torch.dispose([...sd.values()]);
    const w = await loadWeights(p);
    expect(w.meta).toEqual(meta);
    expect([...w.stateDict.values()].map((t) => t.dtype)).toEqual(["float32", "float32"]);
    expect(w.stateDict.get("model.0.bn.num_batches_tracked")!.item()).toBe(7);
    torch.dispose([...w.stateDict.values()]);
  });

  it("refuses bad metadata, naming the field and the file", async () => {
    const p = join(dir, "bad.safetensors");
    const sd = tensors();
    try {
      await expect(saveWeights(p, sd, { ...meta, scale: "q" as "n" })).rejects.toThrow(
        new RegExp(`^${p}: metadata field 'scale'`),
      );
      const cases: [Record<string, string>, string][] = [
        [{ nc: "abc" }, "metadata field 'nc' is not valid JSON"],
        [{ nc: "3" }, "metadata field 'names': must name every class"],
        [{ names: '["a", ""]' }, "metadata field 'names' (at 1)"],
        [{ date: "yesterday" }, "metadata field 'date'"],
        [{ formatVersion: "2" }, "metadata field 'formatVersion'"],
        [{ format: "other" }, "not an azaion-yolo weights file (metadata field 'format' is \"other\")"],
      ];
      for (const [patch, message] of cases) {
        await torch.saveSafetensors(p, sd, { ...encodeMeta(meta), ...patch });
        await expect(loadWeights(p)).rejects.toThrow(`${p}: ${message}`);
      }
      const { source: _, ...rest } = encodeMeta(meta);
      await torch.saveSafetensors(p, sd, rest);
      await expect(loadWeights(p)).rejects.toThrow(`${p}: metadata field 'source' is missing`);
      await torch.saveSafetensors(p, sd, encodeMeta(meta));
      await expect(loadWeights(p)).rejects.toThrow(
        new RegExp(`^${p}: tensor 'model\\.0\\..*' is (float16|int64); weights files hold float32`),
      );
    } finally {
      torch.dispose([...sd.values()]);
    }
  });

  it("checks the Detect head against nc", async () => {
    const sd = new Map([["model.23.cv3.0.2.bias", torch.zeros([3])]]);
    const p = join(dir, "head.safetensors");
    await expect(saveWeights(p, sd, meta)).rejects.toThrow(
      `${p}: tensor 'model.23.cv3.0.2.bias' has 3 classes, the metadata says nc 2`,
    );
    torch.dispose([...sd.values()]);
  });
});
