/** The YOLO11 building blocks on their own: names, shapes, residuals, DFL's expectation and Conv+BN fusing. */
import { describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { Attention, PSABlock } from "./attention.js";
import { Bottleneck } from "./bottleneck.js";
import { C2PSA } from "./c2psa.js";
import { C3k, C3k2 } from "./c3k2.js";
import { autopad, Conv, DWConv } from "./conv.js";
import { DFL } from "./dfl.js";
import { Concat, Sequential, Upsample } from "./misc.js";
import { SPPF } from "./sppf.js";

const keys = (m: { stateDict(): Map<string, Tensor> }) => [...m.stateDict().keys()];

describe("Conv", () => {
  it("pads 'same' and registers conv/bn under PyTorch names", () => {
    expect([autopad(1), autopad(3), autopad(5), autopad(3, undefined, 2), autopad(3, 0)]).toEqual([
      0, 1, 2, 2, 0,
    ]);
    const c = new Conv(4, 8, { k: 3, s: 2 });
    expect(keys(c)).toEqual([
      "conv.weight",
      "bn.weight",
      "bn.bias",
      "bn.running_mean",
      "bn.running_var",
      "bn.num_batches_tracked",
    ]);
    torch.tidy(() => expect(c.forward(torch.rand([1, 4, 9, 9])).shape).toEqual([1, 8, 5, 5]));
    expect(new DWConv(16, 24, { k: 3 }).conv.groups).toBe(8);
  });

  it("fuse() folds BN into conv weight + bias with the same eval output", () => {
    for (const act of [true, false]) {
      const c = new Conv(6, 6, { k: 3, g: 3, act }).train(false);
      torch.noGrad(() =>
        torch.tidy(() => {
          const bn = c.bn!;
          bn.weight.copy_(torch.rand([6], { seed: 1 }).add(0.5));
          bn.bias.copy_(torch.randn([6], { seed: 2 }));
          bn.running_mean.copy_(torch.randn([6], { seed: 3 }));
          bn.running_var.copy_(torch.rand([6], { seed: 4 }).add(0.2));
        }),
      );
      const x = torch.keep(torch.randn([2, 6, 7, 7], { seed: 5 }));
      const before = torch.keep(torch.noGrad(() => c.forward(x)));
      c.fuse();
      expect(c.fused).toBe(true);
      expect(keys(c)).toEqual(["conv.weight", "conv.bias"]);
      expect(c.numParameters()).toBe(6 * 2 * 9 + 6);
      const diff = torch.tidy(() =>
        torch
          .noGrad(() => c.forward(x))
          .sub(before)
          .abs()
          .max()
          .item(),
      );
      expect(diff).toBeLessThan(1e-5);
      torch.dispose([x, before]);
    }
  });
});

describe("blocks", () => {
  it("Bottleneck adds the input only with shortcut and equal channels", () => {
    expect(new Bottleneck(8, 8).add).toBe(true);
    expect(new Bottleneck(8, 8, { shortcut: false }).add).toBe(false);
    expect(new Bottleneck(8, 16).add).toBe(false);
    const b = new Bottleneck(8, 8, { e: 0.25 });
    expect(b.cv1.conv.outChannels).toBe(2);
  });

  it("C3k2 uses Bottlenecks, or C3k(c, c, 2) when c3k, in ModuleList m", () => {
    const a = new C3k2(32, 64, 1, false, 0.25);
    expect(keys(a).filter((k) => k.endsWith("conv.weight"))).toEqual([
      "cv1.conv.weight",
      "cv2.conv.weight",
      "m.0.cv1.conv.weight",
      "m.0.cv2.conv.weight",
    ]);
    const b = new C3k2(64, 64, 2, true);
    expect(b.m.at(1)).toBeInstanceOf(C3k);
    expect(keys(b)).toContain("m.1.m.1.cv2.bn.running_var");
    torch.tidy(() => {
      expect(a.forward(torch.rand([1, 32, 8, 8])).shape).toEqual([1, 64, 8, 8]);
      expect(b.forward(torch.rand([2, 64, 8, 8])).shape).toEqual([2, 64, 8, 8]);
    });
  });

  it("SPPF, C2PSA, Attention and PSABlock keep the spatial size", () => {
    expect(new SPPF(32, 64).cv2.conv.inChannels).toBe(64); // cv1 halves, then 4 maps are concatenated
    const psa = new C2PSA(256, 256, 1);
    expect(psa.m.at(0).attn.numHeads).toBe(2);
    expect(keys(psa)).toContain("m.0.attn.pe.conv.weight");
    expect(keys(psa)).toContain("m.0.ffn.1.bn.bias");
    torch.tidy(() => {
      expect(new SPPF(32, 32).forward(torch.rand([1, 32, 6, 6])).shape).toEqual([1, 32, 6, 6]);
      expect(psa.forward(torch.rand([1, 256, 5, 4])).shape).toEqual([1, 256, 5, 4]);
      expect(new Attention(128, 2).forward(torch.rand([2, 128, 3, 3])).shape).toEqual([2, 128, 3, 3]);
      expect(new PSABlock(64, 0.5, 1).forward(torch.rand([1, 64, 4, 4])).shape).toEqual([1, 64, 4, 4]);
    });
  });

  it("DFL gives the expected bin index; Sequential runs in order; Concat and Upsample", () => {
    const dfl = new DFL(16);
    torch.tidy(() => {
      const logits = torch.full([1, 64, 2], -50);
      for (const [side, bin] of [0, 5, 9, 15].entries()) logits.select(1, side * 16 + bin).fill_(50);
      expect(
        dfl
          .forward(logits)
          .select(2, 0)
          .toNumbers()
          .map((v) => Math.round(v * 1e4) / 1e4),
      ).toEqual([0, 5, 9, 15]);
      const seq = new Sequential([new Conv(3, 4, { k: 1 }), new Conv(4, 5, { k: 3, s: 2 })]);
      expect(seq.forward(torch.rand([1, 3, 8, 8])).shape).toEqual([1, 5, 4, 4]);
      const a = torch.rand([1, 2, 4, 4]);
      expect(new Concat().forward([a, a]).shape).toEqual([1, 4, 4, 4]);
      expect(new Upsample(2).forward(a).shape).toEqual([1, 2, 8, 8]);
    });
  });
});
