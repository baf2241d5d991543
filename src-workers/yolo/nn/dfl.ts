/**
 * Ultralytics' DFL: the expectation of a distance over regMax bins, softmax then a fixed 1x1 conv
 * whose weight is 0..regMax-1. The weight is a (frozen) parameter so the state dict holds it.
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { Conv2d } from "./layers.js";
import { Module } from "./module.js";

export class DFL extends Module {
  readonly conv: Conv2d;

  constructor(readonly c1 = 16) {
    super();
    this.conv = this.child("conv", new Conv2d(c1, 1, { kernel: 1, bias: false }));
    torch.noGrad(() =>
      torch.tidy(() =>
        this.conv.weight.copy_(torch.arange(0, c1, 1, { dtype: "float32" }).view(1, c1, 1, 1)),
      ),
    );
    this.freeze();
  }

  /** Not trained (requires_grad False in Ultralytics); call again after Module.to(), which re-enables it. */
  freeze(): void {
    this.conv.weight.requiresGrad_(false);
  }

  /** (B, 4*c1, A) logits -> (B, 4, A) expected distances in grid units. */
  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const [b, , a] = x.shape as [number, number, number];
      const p = x.view(b, 4, this.c1, a).transpose(2, 1).softmax(1);
      return this.conv.forward(p).view(b, 4, a);
    });
  }
}
