/** Neural-network functions (conv, batch norm, pooling, upsampling, softmax, losses, matmul, NMS) against PyTorch 1.13. */
import * as torch from "./index.js";
import { describeReference, type OpTable } from "./test-support.js";

const OPS: OpTable = {
  conv2d: (x, a) =>
    torch.conv2d(x[0]!, x[1]!, x[2] ?? null, {
      stride: a.stride,
      padding: a.padding,
      dilation: a.dilation,
      groups: a.groups,
    }),
  batchNorm: (x, a) => {
    // Running statistics are updated in place (training): return them after the call.
    const [input, weight, bias, rm, rv] = x as [
      torch.Tensor,
      torch.Tensor,
      torch.Tensor,
      torch.Tensor,
      torch.Tensor,
    ];
    const out = torch.batchNorm(input, {
      weight,
      bias,
      runningMean: rm,
      runningVar: rv,
      training: a.training,
      momentum: a.momentum,
      eps: a.eps,
    });
    return [out, rm, rv];
  },
  batchNormPlain: (x, a) =>
    torch.batchNorm(x[0]!, { training: a.training, momentum: a.momentum, eps: a.eps }),
  maxPool2d: (x, a) =>
    torch.maxPool2d(x[0]!, a.kernel!, { stride: a.stride, padding: a.padding, ceilMode: a.ceilMode }),
  upsampleNearest2d: (x, a) => torch.upsampleNearest2d(x[0]!, a.scale ?? { size: a.size as number[] }),
  softmax: (x, a) => torch.softmax(x[0]!, a.dim!),
  logSoftmax: (x, a) => torch.logSoftmax(x[0]!, a.dim!),
  bceWithLogits: (x, a) => torch.bceWithLogits(x[0]!, x[1]!, { reduction: a.reduction }),
  bceWithLogitsPos: (x, a) => torch.bceWithLogits(x[0]!, x[1]!, { posWeight: x[2]!, reduction: a.reduction }),
  bceWithLogitsWeight: (x, a) => torch.bceWithLogits(x[0]!, x[1]!, { weight: x[2]!, reduction: a.reduction }),
  crossEntropy: (x, a) =>
    torch.crossEntropy(x[0]!, x[1]!, {
      reduction: a.reduction,
      labelSmoothing: a.labelSmoothing,
      ignoreIndex: a.ignoreIndex,
    }),
  crossEntropyWeight: (x, a) =>
    torch.crossEntropy(x[0]!, x[1]!, {
      weight: x[2]!,
      reduction: a.reduction,
      labelSmoothing: a.labelSmoothing,
    }),
  matmul: (x) => torch.matmul(x[0]!, x[1]!),
  bmm: (x) => torch.bmm(x[0]!, x[1]!),
  linear: (x) => torch.linear(x[0]!, x[1]!, x[2] ?? null),
  nms: (x, a) => torch.nms(x[0]!, x[1]!, a.iou!),
};

describeReference("nn", OPS);
