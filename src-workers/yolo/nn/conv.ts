/**
 * Conv (Conv2d without bias + BatchNorm2d + SiLU) and DWConv, as Ultralytics' conv.py, plus the
 * Conv+BN folding that Ultralytics' fuse() applies (fuse_conv_and_bn).
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { BatchNorm2d, Conv2d } from "./layers.js";
import { Module } from "./module.js";

/** Ultralytics' autopad: "same" padding for odd kernels, taking dilation into account. */
export function autopad(k: number, p?: number, d = 1): number {
  if (p !== undefined) return p;
  const eff = d > 1 ? d * (k - 1) + 1 : k;
  return Math.floor(eff / 2);
}

export interface ConvOptions {
  readonly k?: number;
  readonly s?: number;
  readonly p?: number;
  readonly g?: number;
  readonly d?: number;
  /** SiLU when true (Ultralytics' default_act); identity when false. */
  readonly act?: boolean;
}

export class Conv extends Module {
  conv: Conv2d;
  bn: BatchNorm2d | null;
  readonly act: boolean;

  constructor(c1: number, c2: number, o: ConvOptions = {}) {
    super();
    const k = o.k ?? 1;
    const d = o.d ?? 1;
    this.conv = this.child(
      "conv",
      new Conv2d(c1, c2, {
        kernel: k,
        stride: o.s ?? 1,
        padding: autopad(k, o.p, d),
        groups: o.g ?? 1,
        dilation: d,
        bias: false,
      }),
    );
    this.bn = this.child("bn", new BatchNorm2d(c2));
    this.act = o.act ?? true;
  }

  get fused(): boolean {
    return this.bn === null;
  }

  /** After fuse() there is no "bn" child (Ultralytics deletes the attribute). */
  override children(): [string, Module][] {
    return this.bn === null ? super.children().filter(([n]) => n !== "bn") : super.children();
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const y = this.bn === null ? this.conv.forward(x) : this.bn.forward(this.conv.forward(x));
      return this.act ? y.silu() : y;
    });
  }

  /** Fold bn into conv (weight and a new bias); forward becomes conv + act. No-op when already fused. */
  fuse(): void {
    if (this.bn === null) return;
    const fusedConv = fuseConvAndBn(this.conv, this.bn);
    this.conv.dispose();
    this.bn.dispose();
    this.conv = fusedConv;
    this.bn = null;
  }
}

/** Depth-wise conv: groups = gcd(c1, c2), as Ultralytics' DWConv (same state-dict layout as Conv). */
export class DWConv extends Conv {
  constructor(c1: number, c2: number, o: Omit<ConvOptions, "g"> = {}) {
    super(c1, c2, { ...o, g: gcd(c1, c2) });
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * A Conv2d with bias equal to bn(conv(x)) in eval mode: W' = W * g/sqrt(var+eps),
 * b' = b * g/sqrt(var+eps) + (beta - g*mean/sqrt(var+eps)). Computed in float32 whatever the model's dtype,
 * in Ultralytics' order of operations (fuse_conv_and_bn), so fused weights round as theirs do.
 */
export function fuseConvAndBn(conv: Conv2d, bn: BatchNorm2d): Conv2d {
  const w = conv.weight;
  const out = new Conv2d(conv.inChannels, conv.outChannels, {
    kernel: w.shape[2] ?? 1,
    stride: conv.stride,
    padding: conv.padding,
    dilation: conv.dilation,
    groups: conv.groups,
    bias: true,
  });
  if (w.device !== "cpu" || w.dtype !== "float32") out.to(w.device, w.dtype);
  torch.noGrad(() =>
    torch.tidy(() => {
      const std = bn.running_var.float().add(bn.eps).sqrt();
      const scale = bn.weight.float().div(std);
      out.weight.copy_(w.float().mul(scale.view(-1, 1, 1, 1)));
      const b0 = conv.bias === null ? torch.zerosLike(scale) : conv.bias.float();
      const bBn = bn.bias.float().sub(bn.weight.float().mul(bn.running_mean.float()).div(std));
      out.bias!.copy_(b0.mul(scale).add(bBn));
    }),
  );
  return out;
}
