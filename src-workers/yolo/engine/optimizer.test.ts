import { describe, expect, it } from "vitest";
import { AdamW, SGD } from "../../torch/index.js";
import { DetectionModel } from "../model/detection-model.js";
import { trainArgs } from "./defaults.js";
import { buildOptimizer, chooseOptimizer, splitParams } from "./optimizer.js";

describe("buildOptimizer", () => {
  it("auto: AdamW at round(0.002*5/(4+nc), 6) up to 10000 iterations, SGD 0.01 nesterov beyond", () => {
    const a = trainArgs();
    expect(chooseOptimizer(a, 5, 10000)).toEqual({
      name: "AdamW",
      lr: 0.001111,
      momentum: 0.9,
      warmupBiasLr: 0,
    });
    expect(chooseOptimizer(a, 5, 10001)).toEqual({ name: "SGD", lr: 0.01, momentum: 0.9, warmupBiasLr: 0 });
    expect(chooseOptimizer({ ...a, optimizer: "SGD" }, 5, 10)).toEqual({
      name: "SGD",
      lr: 0.01,
      momentum: 0.937,
      warmupBiasLr: 0.1,
    });
  });

  it("groups biases, decayed weights and norm weights; scales weight decay", () => {
    const model = new DetectionModel({ scale: "n", nc: 3 });
    const g = splitParams(model);
    expect(g.bias.every(([n]) => n.endsWith("bias"))).toBe(true);
    expect(g.norm.every(([n]) => /\.bn\.weight$/.test(n))).toBe(true);
    expect(g.decay.some(([n]) => n === "model.0.conv.weight")).toBe(true);
    expect(g.decay.some(([n]) => n.includes(".bn."))).toBe(false);
    expect(g.bias.length + g.decay.length + g.norm.length).toBe(model.namedParameters().length);

    // 1000 images, batch 16, 100 epochs: ceil(1000/64)*100 = 1600 iterations -> AdamW.
    const b = buildOptimizer(model, trainArgs({ batch: 16 }), 3, 1000);
    expect(b.optimizer).toBeInstanceOf(AdamW);
    expect(b.iterations).toBe(1600);
    expect(b.accumulate).toBe(4);
    expect(b.weightDecay).toBeCloseTo(0.0005, 12);
    expect(b.optimizer.paramGroups.map((x) => x.weightDecay)).toEqual([0, b.weightDecay, 0]);
    expect(b.optimizer.paramGroups.map((x) => x.lr)).toEqual([0.001429, 0.001429, 0.001429]);
    expect(b.optimizer.paramGroups[0]!.params.length).toBe(g.bias.length);
    b.optimizer.dispose();

    const s = buildOptimizer(model, trainArgs({ batch: 8, epochs: 200 }), 3, 10000);
    expect(s.optimizer).toBeInstanceOf(SGD);
    expect(s.weightDecay).toBeCloseTo((0.0005 * 8 * 8) / 64, 12);
    const sg = (s.optimizer as SGD).paramGroups[1]!;
    expect([sg.momentum, sg.nesterov]).toEqual([0.9, true]);
    s.optimizer.dispose();
    model.dispose();
  });
});
