/** Ultralytics' SPPF: cv1, three chained k x k max-pools (stride 1, same size), cv2 over the four maps. */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { Conv } from "./conv.js";
import { Module } from "./module.js";

export class SPPF extends Module {
  readonly cv1: Conv;
  readonly cv2: Conv;

  constructor(
    c1: number,
    c2: number,
    readonly k = 5,
  ) {
    super();
    const c = Math.trunc(c1 / 2);
    this.cv1 = this.child("cv1", new Conv(c1, c, { k: 1 }));
    this.cv2 = this.child("cv2", new Conv(c * 4, c2, { k: 1 }));
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const y = [this.cv1.forward(x)];
      const pad = Math.floor(this.k / 2);
      for (let i = 0; i < 3; i++) y.push(torch.maxPool2d(y[i]!, this.k, { stride: 1, padding: pad }));
      return this.cv2.forward(torch.cat(y, 1));
    });
  }
}
