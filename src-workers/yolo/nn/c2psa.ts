/** Ultralytics' C2PSA: cv1 splits channels in two halves; PSABlocks refine one; cv2 merges them back. */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { PSABlock } from "./attention.js";
import { Conv } from "./conv.js";
import { Sequential } from "./misc.js";
import { Module } from "./module.js";

export class C2PSA extends Module {
  readonly c: number;
  readonly cv1: Conv;
  readonly cv2: Conv;
  readonly m: Sequential<PSABlock>;

  constructor(c1: number, c2: number, n = 1, e = 0.5) {
    super();
    if (c1 !== c2) throw new RangeError(`C2PSA: input channels ${c1} must equal output channels ${c2}`);
    this.c = Math.trunc(c1 * e);
    this.cv1 = this.child("cv1", new Conv(c1, 2 * this.c, { k: 1 }));
    this.cv2 = this.child("cv2", new Conv(2 * this.c, c1, { k: 1 }));
    // One head per 64 channels, as Ultralytics (c // 64).
    const blocks = Array.from({ length: n }, () => new PSABlock(this.c, 0.5, Math.trunc(this.c / 64)));
    this.m = this.child("m", new Sequential(blocks));
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const [a, b] = this.cv1.forward(x).split([this.c, this.c], 1) as [Tensor, Tensor];
      return this.cv2.forward(torch.cat([a, this.m.forward(b)], 1));
    });
  }
}
