/** ModelEMA as Ultralytics: the decay ramp, the initial copy, the update rule and its convergence. */
import { describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { DetectionModel } from "./detection-model.js";
import { ModelEMA } from "./ema.js";

describe("ModelEMA", () => {
  it("decay ramps as 0.9999 * (1 - exp(-updates / 2000))", () => {
    const model = new DetectionModel({ scale: "n", nc: 2 });
    const ema = new ModelEMA(model);
    expect(ema.decay(0)).toBe(0);
    expect(ema.decay(1)).toBeCloseTo(0.9999 * (1 - Math.exp(-1 / 2000)), 12);
    expect(ema.decay(2000)).toBeCloseTo(0.9999 * (1 - Math.exp(-1)), 12);
    expect(ema.decay(100_000)).toBeCloseTo(0.9999, 12);
    const curve = [1, 10, 100, 1000, 10_000].map((u) => ema.decay(u));
    expect([...curve].sort((a, b) => a - b)).toEqual(curve);
    ema.dispose();
    model.dispose();
  });

  it("starts as an eval-mode, non-trainable copy of the model", () => {
    const model = new DetectionModel({ scale: "n", nc: 2 });
    const ema = new ModelEMA(model);
    expect(ema.ema.training).toBe(false);
    expect(ema.ema.parameters().every((p) => !p.requiresGrad)).toBe(true);
    const a = model.stateDict();
    for (const [k, v] of ema.ema.stateDict()) {
      expect(v).not.toBe(a.get(k));
      expect(torch.tidy(() => v.sub(a.get(k)!).abs().max().item())).toBe(0);
    }
    ema.dispose();
    model.dispose();
  });

  it("updates floating tensors as d*ema + (1-d)*model, copies integer buffers, and converges", () => {
    const model = new DetectionModel({ scale: "n", nc: 2 });
    const ema = new ModelEMA(model);
    const key = "model.0.conv.weight";
    const e0 = ema.ema.stateDict().get(key)!.toNumbers();
    const sd = model.stateDict();
    torch.noGrad(() => {
      for (const [, t] of sd) {
        if (torch.isFloating(t.dtype)) t.fill_(0.25);
        else t.fill_(7);
      }
    });
    const before = torch.liveTensors().count;
    ema.update(model);
    expect(torch.liveTensors().count).toBe(before);
    expect(ema.updates).toBe(1);
    const d = ema.decay(1);
    const e1 = ema.ema.stateDict().get(key)!.toNumbers();
    e1.forEach((v, i) => expect(v).toBeCloseTo(d * e0[i]! + (1 - d) * 0.25, 6));
    expect(ema.ema.stateDict().get("model.0.bn.num_batches_tracked")!.item()).toBe(7);
    for (let i = 0; i < 300; i++) ema.update(model);
    // The start keeps weight prod(d_i), i = 1..301: negligible.
    for (const [, v] of ema.ema.stateDict()) {
      if (torch.isFloating(v.dtype))
        expect(torch.tidy(() => v.sub(0.25).abs().max().item())).toBeLessThan(1e-6);
    }
    ema.dispose();
    model.dispose();
  });
});
