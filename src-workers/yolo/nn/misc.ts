/** Containers and parameter-free layers: Sequential (nn.Sequential), Concat, Upsample (nearest). */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { Module, ModuleList } from "./module.js";

/** A module that maps one tensor to one tensor. */
export type Layer = Module & { forward(x: Tensor): Tensor };

/** nn.Sequential: children "0", "1", ... run in order. */
export class Sequential<M extends Layer = Layer> extends ModuleList<M> {
  forward(x: Tensor): Tensor {
    return torch.tidy(() => this.items.reduce((y, m) => m.forward(y), x));
  }
}

/** Ultralytics' Concat: cat along a dimension (channels by default). */
export class Concat extends Module {
  constructor(readonly dim = 1) {
    super();
  }

  forward(xs: readonly Tensor[]): Tensor {
    return torch.cat(xs, this.dim);
  }
}

/** nn.Upsample(scale_factor, mode="nearest"). */
export class Upsample extends Module {
  constructor(readonly scaleFactor = 2) {
    super();
  }

  forward(x: Tensor): Tensor {
    return torch.upsampleNearest2d(x, this.scaleFactor);
  }
}
