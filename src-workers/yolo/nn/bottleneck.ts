/** Ultralytics' Bottleneck: two convs with an optional residual (when shortcut and c1 == c2). */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { Conv } from "./conv.js";
import { Module } from "./module.js";

export interface BottleneckOptions {
  readonly shortcut?: boolean;
  readonly g?: number;
  /** Kernel sizes of cv1 and cv2. */
  readonly k?: readonly [number, number];
  /** Hidden channels = int(c2 * e). */
  readonly e?: number;
}

export class Bottleneck extends Module {
  readonly cv1: Conv;
  readonly cv2: Conv;
  readonly add: boolean;

  constructor(c1: number, c2: number, o: BottleneckOptions = {}) {
    super();
    const [k1, k2] = o.k ?? [3, 3];
    const c = Math.trunc(c2 * (o.e ?? 0.5));
    this.cv1 = this.child("cv1", new Conv(c1, c, { k: k1 }));
    this.cv2 = this.child("cv2", new Conv(c, c2, { k: k2, g: o.g ?? 1 }));
    this.add = (o.shortcut ?? true) && c1 === c2;
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const y = this.cv2.forward(this.cv1.forward(x));
      return this.add ? x.add(y) : y;
    });
  }
}
