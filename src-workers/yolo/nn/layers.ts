/**
 * The primitive layers: Conv2d and BatchNorm2d with PyTorch's parameter names and initialisation,
 * so that Ultralytics weights load by name and fresh models start as PyTorch's would.
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { Module } from "./module.js";

export interface Conv2dOptions {
  readonly kernel: number;
  readonly stride?: number;
  readonly padding?: number;
  readonly dilation?: number;
  readonly groups?: number;
  readonly bias?: boolean;
}

/** uniform(-bound, bound) as PyTorch's kaiming_uniform_(a=sqrt(5)) for conv weights and their biases. */
function uniform(shape: number[], bound: number): Tensor {
  return torch.tidy(() =>
    torch
      .rand(shape)
      .mul(2 * bound)
      .sub(bound),
  );
}

export class Conv2d extends Module {
  declare weight: Tensor;
  declare bias: Tensor | null;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    o: Conv2dOptions,
  ) {
    super();
    this.stride = o.stride ?? 1;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.groups = o.groups ?? 1;
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new RangeError(
        `Conv2d: ${inChannels} -> ${outChannels} channels do not divide into ${this.groups} groups`,
      );
    }
    const fanIn = (inChannels / this.groups) * o.kernel * o.kernel;
    const bound = 1 / Math.sqrt(fanIn);
    this.param("weight", uniform([outChannels, inChannels / this.groups, o.kernel, o.kernel], bound));
    if (o.bias ?? true) this.param("bias", uniform([outChannels], bound));
    else this.bias = null;
  }

  forward(x: Tensor): Tensor {
    return torch.conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

export class BatchNorm2d extends Module {
  declare weight: Tensor;
  declare bias: Tensor;
  declare running_mean: Tensor;
  declare running_var: Tensor;
  declare num_batches_tracked: Tensor;

  /** Ultralytics sets eps 1e-3 and momentum 0.03 on every BatchNorm2d (initialize_weights). */
  constructor(
    readonly channels: number,
    readonly eps = 1e-3,
    readonly momentum = 0.03,
  ) {
    super();
    this.param("weight", torch.ones([channels]));
    this.param("bias", torch.zeros([channels]));
    this.buffer("running_mean", torch.zeros([channels]));
    this.buffer("running_var", torch.ones([channels]));
    this.buffer("num_batches_tracked", torch.zeros([], { dtype: "int64" }));
  }

  forward(x: Tensor): Tensor {
    if (this.training) this.num_batches_tracked.add_(1);
    return torch.batchNorm(x, {
      weight: this.weight,
      bias: this.bias,
      runningMean: this.running_mean,
      runningVar: this.running_var,
      training: this.training,
      momentum: this.momentum,
      eps: this.eps,
    });
  }
}
