/**
 * Ultralytics' Attention (multi-head self-attention over the H*W positions, with a depth-wise 3x3
 * positional encoding of v) and PSABlock (attention then a 2-conv feed-forward, both residual).
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { Conv } from "./conv.js";
import { Sequential } from "./misc.js";
import { Module } from "./module.js";

export class Attention extends Module {
  readonly headDim: number;
  readonly keyDim: number;
  readonly scale: number;
  readonly qkv: Conv;
  readonly proj: Conv;
  readonly pe: Conv;

  constructor(
    readonly dim: number,
    readonly numHeads = 8,
    attnRatio = 0.5,
  ) {
    super();
    this.headDim = Math.trunc(dim / numHeads);
    this.keyDim = Math.trunc(this.headDim * attnRatio);
    this.scale = this.keyDim ** -0.5;
    const h = dim + this.keyDim * numHeads * 2;
    this.qkv = this.child("qkv", new Conv(dim, h, { k: 1, act: false }));
    this.proj = this.child("proj", new Conv(dim, dim, { k: 1, act: false }));
    this.pe = this.child("pe", new Conv(dim, dim, { k: 3, s: 1, g: dim, act: false }));
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const [B, C, H, W] = x.shape as [number, number, number, number];
      const N = H * W;
      const qkv = this.qkv.forward(x).view(B, this.numHeads, this.keyDim * 2 + this.headDim, N);
      const [q, k, v] = qkv.split([this.keyDim, this.keyDim, this.headDim], 2) as [Tensor, Tensor, Tensor];
      const attn = q.transpose(-2, -1).matmul(k).mul(this.scale).softmax(-1);
      const y = v
        .matmul(attn.transpose(-2, -1))
        .view(B, C, H, W)
        .add(this.pe.forward(v.reshape(B, C, H, W)));
      return this.proj.forward(y);
    });
  }
}

export class PSABlock extends Module {
  readonly attn: Attention;
  readonly ffn: Sequential<Conv>;

  constructor(
    c: number,
    attnRatio = 0.5,
    numHeads = 4,
    readonly shortcut = true,
  ) {
    super();
    this.attn = this.child("attn", new Attention(c, numHeads, attnRatio));
    this.ffn = this.child(
      "ffn",
      new Sequential([new Conv(c, c * 2, { k: 1 }), new Conv(c * 2, c, { k: 1, act: false })]),
    );
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const a = this.shortcut ? x.add(this.attn.forward(x)) : this.attn.forward(x);
      return this.shortcut ? a.add(this.ffn.forward(a)) : this.ffn.forward(a);
    });
  }
}
