/**
 * The model's structure against Ultralytics 8.3.253: state-dict keys, order and shapes
 * (tests/data/yolo11/yolo11n-nc80.state.json), the spec table against the checkpoint's yaml, and
 * parameter and layer counts (per layer from /work/shared/reference/yolo11-facts.md, copied here).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import * as torch from "../../torch/index.js";
import { pyRound } from "../../core/py-round.js";
import { makeDivisible } from "./builder.js";
import { DetectionModel } from "./detection-model.js";
import { YOLO11, type Scale } from "./spec.js";

interface StateJson {
  readonly state_dict: { key: string; shape: number[]; dtype: string }[];
  readonly model_attributes: { yaml: Record<string, unknown>; stride: number[] };
}
const fixture = JSON.parse(
  readFileSync(join(packageRoot(), "tests/data/yolo11/yolo11n-nc80.state.json"), "utf8"),
) as StateJson;

// Per-layer parameter counts (model.info() of Ultralytics 8.3.253, nc=80), from the facts file.
const PER_LAYER: Partial<Record<Scale, number[]>> = {
  n: [
    464, 4_672, 6_640, 36_992, 26_080, 147_712, 87_040, 295_424, 346_112, 164_608, 249_728, 0, 0, 111_296, 0,
    0, 32_096, 36_992, 0, 86_720, 147_712, 0, 378_880, 464_912,
  ],
  s: [
    928, 18_560, 26_080, 147_712, 103_360, 590_336, 346_112, 1_180_672, 1_380_352, 656_896, 990_976, 0, 0,
    443_776, 0, 0, 127_680, 147_712, 0, 345_472, 590_336, 0, 1_511_424, 850_368,
  ],
  m: [
    1_856, 73_984, 111_872, 590_336, 444_928, 2_360_320, 1_380_352, 2_360_320, 1_380_352, 656_896, 990_976, 0,
    0, 1_642_496, 0, 0, 542_720, 590_336, 0, 1_511_424, 2_360_320, 0, 1_642_496, 1_472_704,
  ],
};

// n/s/m: the facts file (params, layers, fused params, fused layers). l/x: the totals Ultralytics
// publishes for yolo11l (25,372,160) and yolo11x (56,966,176) in its YOLO11 model table / model.info().
const TOTALS: { scale: Scale; params: number; layers?: number; fused?: number; fusedLayers?: number }[] = [
  { scale: "n", params: 2_624_080, layers: 319, fused: 2_616_248, fusedLayers: 238 },
  { scale: "s", params: 9_458_752, layers: 319, fused: 9_443_760, fusedLayers: 238 },
  { scale: "m", params: 20_114_688, layers: 409, fused: 20_091_712, fusedLayers: 303 },
  { scale: "l", params: 25_372_160 },
  { scale: "x", params: 56_966_176 },
];

describe("DetectionModel structure", () => {
  const n = new DetectionModel({ scale: "n" });
  afterAll(() => n.dispose());

  it("has exactly Ultralytics' yolo11n state-dict keys, order, shapes and dtypes", () => {
    const sd = [...n.stateDict()].map(([k, t]) => ({ key: k, shape: t.shape, int: t.dtype === "int64" }));
    expect(sd.length).toBe(499);
    expect(sd).toEqual(
      fixture.state_dict.map((e) => ({ key: e.key, shape: e.shape, int: e.dtype === "int64" })),
    );
  });

  it("the spec table is the checkpoint's yolo11.yaml", () => {
    const y = fixture.model_attributes.yaml;
    expect({ nc: y.nc, scales: y.scales, backbone: y.backbone, head: y.head }).toEqual({ ...YOLO11 });
    expect(n.stride).toEqual(fixture.model_attributes.stride);
    expect(n.stride).toEqual([8, 16, 32]);
  });

  it("sets Detect's biases as bias_init and the DFL projection 0..15 (frozen)", () => {
    const sd = n.stateDict();
    const s = [8, 16, 32];
    s.forEach((st, i) => {
      expect(new Set(sd.get(`model.23.cv2.${i}.2.bias`)!.toNumbers())).toEqual(new Set([1]));
      const b = sd.get(`model.23.cv3.${i}.2.bias`)!.toNumbers();
      for (const v of b) expect(v).toBeCloseTo(Math.log(5 / 80 / (640 / st) ** 2), 5);
    });
    const dfl = sd.get("model.23.dfl.conv.weight")!;
    expect(dfl.toNumbers()).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(dfl.requiresGrad).toBe(false);
    expect(n.regMax).toBe(16);
  });

  it("helpers round as Ultralytics (make_divisible, Python round)", () => {
    expect(makeDivisible(64 * 0.25)).toBe(16);
    expect(makeDivisible(20)).toBe(24);
    expect([0.5, 1.5, 2.5, 1.0, 2.4].map(pyRound)).toEqual([0, 2, 2, 1, 2]);
  });

  it("names default to the index, or take the given ones", () => {
    expect(n.names.slice(0, 3)).toEqual(["0", "1", "2"]);
    const m = new DetectionModel({ scale: "n", nc: 2, names: ["car", "truck"] });
    expect(m.names).toEqual(["car", "truck"]);
    expect(new DetectionModel({ scale: "n", nc: 2, names: { 1: "b" } }).names).toEqual(["0", "b"]);
    m.dispose();
  });
});

describe("parameter and layer counts", () => {
  it.each(TOTALS)(
    "yolo11$scale (nc=80): $params parameters",
    ({ scale, params, layers, fused, fusedLayers }) => {
      const t0 = performance.now();
      const m = new DetectionModel({ scale });
      const buildMs = performance.now() - t0;
      try {
        expect(m.numParameters()).toBe(params);
        const per = PER_LAYER[scale];
        if (per) expect(m.layers.map((l) => l.module.numParameters())).toEqual(per);
        if (layers !== undefined) expect(m.layerCount).toBe(layers);
        if (scale === "m") expect(buildMs).toBeLessThan(5000);
        if (fused !== undefined) {
          m.fuse();
          expect(m.numParameters()).toBe(fused);
          expect(m.layerCount).toBe(fusedLayers);
          expect([...m.stateDict().keys()].some((k) => k.includes(".bn."))).toBe(false);
        }
      } finally {
        m.dispose();
      }
    },
  );

  it("yolo11n with nc=5 has 2,590,815 parameters and 9-channel level maps", () => {
    const m = new DetectionModel({ scale: "n", nc: 5 });
    expect(m.numParameters()).toBe(2_590_815);
    expect(m.stateDict().get("model.23.cv3.0.2.weight")!.shape).toEqual([5, 64, 1, 1]);
    m.dispose();
  });

  it("m/l/x use C3k blocks in every C3k2, n/s only where the table says", () => {
    const has = (scale: Scale, key: string) => {
      const m = new DetectionModel({ scale });
      const r = m.stateDict().has(key);
      m.dispose();
      return r;
    };
    expect(has("n", "model.2.m.0.cv3.conv.weight")).toBe(false);
    expect(has("n", "model.6.m.0.cv3.conv.weight")).toBe(true);
    expect(has("m", "model.2.m.0.cv3.conv.weight")).toBe(true);
    expect(torch.liveTensors().count).toBeGreaterThan(0);
  });
});
