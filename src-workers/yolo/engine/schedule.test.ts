import { describe, expect, it } from "vitest";
import { DEFAULT_TRAIN_ARGS, trainArgs } from "./defaults.js";
import { pyRound, pyRoundTo } from "../../core/py-round.js";
import { baseAccumulate, interp, lrLambda, warmupIterations, warmupValues } from "./schedule.js";

describe("schedule (values computed by hand from Ultralytics' formulas)", () => {
  it("rounds half to even as Python", () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6].map((x) => pyRound(x))).toEqual([0, 2, 2, 4, 2, 3]);
    expect(pyRoundTo((0.002 * 5) / (4 + 5), 6)).toBe(0.001111);
    expect(pyRoundTo((0.002 * 5) / (4 + 80), 6)).toBe(0.000119);
  });

  it("linear lf: (1 - e/E)(1 - lrf) + lrf", () => {
    const lf = lrLambda({ epochs: 100, lrf: 0.01, cos_lr: false });
    expect(lf(0)).toBe(1);
    expect(lf(50)).toBeCloseTo(0.505, 12);
    expect(lf(99)).toBeCloseTo(0.0199, 12);
    expect(lf(100)).toBeCloseTo(0.01, 12);
  });

  it("cosine lf: one_cycle(1, lrf, E)", () => {
    const lf = lrLambda({ epochs: 10, lrf: 0.1, cos_lr: true });
    expect(lf(0)).toBeCloseTo(1, 12);
    expect(lf(5)).toBeCloseTo(0.55, 12);
    expect(lf(10)).toBeCloseTo(0.1, 12);
    expect(lf(2)).toBeCloseTo(((1 - Math.cos(Math.PI / 5)) / 2) * -0.9 + 1, 12);
  });

  it("warmup length and accumulate", () => {
    expect(warmupIterations(3, 10)).toBe(100);
    expect(warmupIterations(3, 500)).toBe(1500);
    expect(warmupIterations(0.5, 201)).toBe(100);
    expect(warmupIterations(0.5, 401)).toBe(200); // 200.5 -> 200
    expect(warmupIterations(0, 500)).toBe(-1);
    expect(baseAccumulate(64, 16)).toBe(4);
    expect(baseAccumulate(64, 128)).toBe(1);
    expect(baseAccumulate(64, 24)).toBe(3);
  });

  it("warmup values: bias lr from warmup_bias_lr, others from 0, momentum and accumulate ramp", () => {
    const a = { ...DEFAULT_TRAIN_ARGS, batch: 16 };
    const lf0 = lrLambda({ epochs: 100, lrf: 0.01, cos_lr: false })(0);
    const at0 = warmupValues(0, 300, a, [0.01, 0.01, 0.01], lf0);
    expect(at0).toEqual({ accumulate: 1, lrs: [0.1, 0, 0], momentum: 0.8 });
    const mid = warmupValues(150, 300, a, [0.01, 0.01, 0.01], lf0);
    expect(mid.accumulate).toBe(2); // interp 2.5 -> 2 (half to even)
    expect(mid.lrs[0]).toBeCloseTo(0.055, 12);
    expect(mid.lrs[1]).toBeCloseTo(0.005, 12);
    expect(mid.momentum).toBeCloseTo(0.8685, 12);
    const end = warmupValues(300, 300, a, [0.01, 0.01, 0.01], 0.9901);
    expect(end.accumulate).toBe(4);
    expect(end.lrs.every((v) => Math.abs(v - 0.009901) < 1e-12)).toBe(true);
    expect(interp(-1, [0, 10], [1, 2])).toBe(1);
  });

  it("validates arguments", () => {
    expect(trainArgs({ epochs: 3 }).epochs).toBe(3);
    expect(() => trainArgs({ imgsz: 100 })).toThrow(/imgsz.*multiple of 32/);
    expect(() => trainArgs({ optimizer: "Lion" })).toThrow(/optimizer/);
    expect(() => trainArgs({ bogus: 1 })).toThrow(/bogus/);
  });
});
