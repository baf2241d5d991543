/**
 * DetectionModel's forward, decode and fuse: level-map and output shapes, the anchor/stride layout of
 * decode, BatchNorm in train vs eval mode, fused == unfused, gradients reaching every layer, and no
 * leaked tensors. (Parity with Ultralytics' own outputs needs the checkpoint importer; see io/.)
 */
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { BatchNorm2d } from "../nn/layers.js";
import { DetectionModel } from "./detection-model.js";

const maxAbs = (t: Tensor) => torch.tidy(() => t.abs().max().item());
const maxDiff = (a: Tensor, b: Tensor) => torch.tidy(() => a.sub(b).abs().max().item());

/** Non-trivial BN state so that eval differs from train and fusing has something to fold. */
function randomiseBatchNorm(m: DetectionModel, seed: number): void {
  torch.noGrad(() =>
    torch.tidy(() => {
      let s = seed;
      for (const [, bn] of m.namedModules()) {
        if (!(bn instanceof BatchNorm2d)) continue;
        const c = [bn.channels];
        bn.weight.copy_(torch.rand(c, { seed: s++ }).mul(0.4).add(0.8));
        bn.bias.copy_(torch.randn(c, { seed: s++ }).mul(0.1));
        bn.running_mean.copy_(torch.randn(c, { seed: s++ }).mul(0.1));
        bn.running_var.copy_(torch.rand(c, { seed: s++ }).add(0.5));
      }
    }),
  );
}

describe("DetectionModel forward", () => {
  const model = new DetectionModel({ scale: "n", nc: 80 });
  randomiseBatchNorm(model, 1);
  const x = torch.keep(torch.rand([1, 3, 320, 320], { seed: 7 }));
  afterAll(() => {
    model.dispose();
    x.dispose();
  });

  it("gives three raw level maps in train and eval mode, and a 1x84x2100 eval output", () => {
    torch.noGrad(() =>
      torch.tidy(() => {
        for (const train of [true, false]) {
          model.train(train);
          const raw = model.forward(x);
          expect(raw.map((r) => r.shape)).toEqual([
            [1, 144, 40, 40],
            [1, 144, 20, 20],
            [1, 144, 10, 10],
          ]);
        }
        expect(model.infer(x).shape).toEqual([1, 84, 2100]);
      }),
    );
  });

  it("BatchNorm uses batch statistics and updates running ones in train mode only", () => {
    const bn = model.stateDict();
    const rm = () => bn.get("model.0.bn.running_mean")!.toNumbers();
    const nbt = () => bn.get("model.0.bn.num_batches_tracked")!.item();
    torch.noGrad(() =>
      torch.tidy(() => {
        model.eval();
        const before = rm();
        const e1 = model.forward(x);
        const e2 = model.forward(x);
        expect(rm()).toEqual(before);
        e1.forEach((r, i) => expect(maxDiff(r, e2[i]!)).toBe(0));
        const n0 = nbt();
        model.train();
        const t = model.forward(x);
        expect(nbt()).toBe(n0 + 1);
        expect(rm()).not.toEqual(before);
        expect(maxDiff(t[0]!, e1[0]!)).toBeGreaterThan(1e-3);
        model.eval();
      }),
    );
  });

  it("decodes anchors (cell centres, y-major per level) and strides 8/16/32 into xywh pixels", () => {
    torch.tidy(() => {
      // Zero logits: each side is the mean of 0..15 = 7.5 cells, scores sigmoid(0) = 0.5.
      const raw = [40, 20, 10].map((s) => torch.zeros([2, 64 + 80, s, s]));
      const out = model.decode(raw);
      expect(out.shape).toEqual([2, 84, 2100]);
      const col = (j: number) => out.select(0, 1).select(1, j).toNumbers();
      expect(col(0).slice(0, 5)).toEqual([4, 4, 120, 120, 0.5]);
      expect(col(1).slice(0, 4)).toEqual([12, 4, 120, 120]);
      expect(col(40).slice(0, 4)).toEqual([4, 12, 120, 120]);
      expect(col(1600).slice(0, 4)).toEqual([8, 8, 240, 240]);
      expect(col(2099).slice(0, 4)).toEqual([304, 304, 480, 480]);
      // A confident bin 3 on the left side only: x1 = 0.5 - 3 cells, x2 = 0.5 + 7.5 cells.
      const l0 = raw[0]!.clone();
      l0.select(1, 3).fill_(50);
      const one = model.decode([l0, raw[1]!, raw[2]!]).select(0, 0).select(1, 0).toNumbers();
      expect(one[0]).toBeCloseTo(((0.5 - 3 + 0.5 + 7.5) / 2) * 8, 4);
      expect(one[2]).toBeCloseTo((3 + 7.5) * 8, 4);
    });
  });

  it("fused and unfused eval outputs agree", () => {
    const fused = new DetectionModel({ scale: "n", nc: 80 });
    fused.loadStateDict(model.stateDict());
    fused.eval().fuse();
    model.eval();
    torch.noGrad(() =>
      torch.tidy(() => {
        const a = model.forward(x);
        const b = fused.forward(x);
        a.forEach((r, i) => expect(maxDiff(r, b[i]!) / maxAbs(r)).toBeLessThan(1e-4));
        const da = model.decode(a);
        const db = fused.decode(b);
        expect(maxDiff(da, db) / maxAbs(da)).toBeLessThan(1e-4);
      }),
    );
    expect(fused.numParameters()).toBe(2_616_248);
    fused.dispose();
  });

  it("does not leak: forward and decode inside tidy leave only what they return", () => {
    torch.noGrad(() => {
      model.eval();
      torch.tidy(() => model.infer(x)); // warm the anchor cache
      const before = torch.liveTensors().count;
      torch.tidy(() => {
        model.forward(x);
        model.infer(x);
      });
      expect(torch.liveTensors().count).toBe(before);
      const kept = torch.tidy(() => model.forward(x));
      expect(torch.liveTensors().count).toBe(before + 3);
      torch.dispose(kept);
      model.train();
      torch.tidy(() => {
        model.forward(x);
      });
      expect(torch.liveTensors().count).toBe(before);
      model.eval();
    });
  });
});

describe("DetectionModel training", () => {
  it("back-propagates into every trainable parameter (not DFL's projection)", () => {
    const m = new DetectionModel({ scale: "n", nc: 3 });
    m.train();
    torch.tidy(() => {
      const raw = m.forward(torch.rand([2, 3, 64, 64], { seed: 3 }));
      torch
        .cat(raw.map((r) => r.square().mean().reshape(1)))
        .sum()
        .backward();
    });
    const missing = m
      .namedParameters()
      .filter(([, p]) => p.requiresGrad && p.grad === null)
      .map(([k]) => k);
    expect(missing).toEqual([]);
    expect(m.stateDict().get("model.23.dfl.conv.weight")!.grad).toBeNull();
    m.to("cpu");
    expect(m.stateDict().get("model.23.dfl.conv.weight")!.requiresGrad).toBe(false);
    m.dispose();
  });
});
