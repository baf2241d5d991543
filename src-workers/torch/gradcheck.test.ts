/**
 * Autograd against central finite differences (float64, eps 1e-6, tolerance 1e-5) for every
 * differentiable op the model and losses use; then the autograd API itself (gradient argument,
 * accumulation, zeroGrad, detach, noGrad).
 */
import { describe, expect, it } from "vitest";
import * as torch from "./index.js";
import type { Tensor } from "./index.js";
import { distinct64, gradcheck, randn64 } from "./test-support.js";

interface GradCase {
  readonly name: string;
  /** The float64 inputs to differentiate (fresh per case, inside a tidy scope). */
  readonly inputs: () => Tensor[];
  readonly fn: (x: Tensor[]) => Tensor;
}

const r = randn64;
const pos = (shape: number[], seed: number) => randn64(shape, seed, 1, 0.3);
const f64 = (v: Parameters<typeof torch.tensor>[0]) => torch.tensor(v, { dtype: "float64" });
const long = (v: Parameters<typeof torch.tensor>[0]) => torch.tensor(v, { dtype: "int64" });
const mask23 = () =>
  torch.tensor([
    [true, false, true],
    [false, true, true],
  ]);

const CASES: GradCase[] = [
  // element-wise, with broadcasting
  { name: "add broadcast", inputs: () => [r([2, 3], 1), r([3], 2)], fn: ([a, b]) => a!.add(b!) },
  { name: "add alpha", inputs: () => [r([2, 3], 1), r([2, 3], 2)], fn: ([a, b]) => a!.add(b!, -2.5) },
  { name: "add scalar", inputs: () => [r([2, 3], 1)], fn: ([a]) => a!.add(1.5) },
  { name: "sub broadcast", inputs: () => [r([2, 1, 3], 3), r([4, 1], 4)], fn: ([a, b]) => a!.sub(b!) },
  { name: "rsub scalar", inputs: () => [r([5], 3)], fn: ([a]) => a!.rsub(1) },
  { name: "mul broadcast", inputs: () => [r([2, 3], 5), r([2, 1], 6)], fn: ([a, b]) => a!.mul(b!) },
  { name: "div broadcast", inputs: () => [r([2, 3], 7), pos([3], 8)], fn: ([a, b]) => a!.div(b!) },
  { name: "rdiv scalar", inputs: () => [pos([4], 8)], fn: ([a]) => a!.rdiv(2) },
  { name: "pow tensor-tensor", inputs: () => [pos([2, 3], 9), r([2, 3], 10)], fn: ([a, b]) => a!.pow(b!) },
  { name: "pow scalar 3", inputs: () => [r([6], 11)], fn: ([a]) => a!.pow(3) },
  { name: "pow scalar 0.5", inputs: () => [pos([6], 12)], fn: ([a]) => a!.pow(0.5) },
  { name: "sqrt", inputs: () => [pos([2, 3], 13)], fn: ([a]) => a!.sqrt() },
  { name: "exp", inputs: () => [r([2, 3], 14)], fn: ([a]) => a!.exp() },
  { name: "log", inputs: () => [pos([2, 3], 15)], fn: ([a]) => a!.log() },
  { name: "atan", inputs: () => [r([2, 3], 16, 2)], fn: ([a]) => a!.atan() },
  { name: "atan2", inputs: () => [r([2, 3], 17), r([2, 3], 18)], fn: ([a, b]) => a!.atan2(b!) },
  { name: "abs (away from 0)", inputs: () => [distinct64([2, 4], 19)], fn: ([a]) => a!.abs() },
  { name: "tanh", inputs: () => [r([2, 3], 20)], fn: ([a]) => a!.tanh() },
  { name: "relu (away from 0)", inputs: () => [distinct64([2, 4], 21)], fn: ([a]) => a!.relu() },
  { name: "silu", inputs: () => [r([2, 3], 22, 2)], fn: ([a]) => a!.silu() },
  { name: "sigmoid", inputs: () => [r([2, 3], 23, 2)], fn: ([a]) => a!.sigmoid() },
  { name: "clamp scalar bounds", inputs: () => [distinct64([3, 4], 24)], fn: ([a]) => a!.clamp(-0.33, 0.42) },
  { name: "clamp min only", inputs: () => [distinct64([3, 4], 24)], fn: ([a]) => a!.clampMin(0.07) },
  {
    name: "clamp tensor bounds",
    inputs: () => [distinct64([3, 4], 25), f64([[-0.47, -0.03, -0.22, 0.01]]), f64([[0.33], [0.12], [0.51]])],
    fn: ([a, lo, hi]) => a!.clamp(lo, hi),
  },
  { name: "where", inputs: () => [r([2, 3], 26), r([3], 27)], fn: ([a, b]) => torch.where(mask23(), a!, b!) },
  { name: "where with scalar", inputs: () => [r([2, 3], 26)], fn: ([a]) => torch.where(mask23(), a!, 0.5) },
  {
    name: "maximum",
    inputs: () => [distinct64([2, 3], 28), distinct64([2, 3], 29, 0.13)],
    fn: ([a, b]) => a!.maximum(b!),
  },
  // reductions
  { name: "sum all", inputs: () => [r([2, 3, 2], 30)], fn: ([a]) => a!.sum() },
  { name: "sum dims keepdim", inputs: () => [r([2, 3, 2], 30)], fn: ([a]) => a!.sum([0, 2], true) },
  { name: "mean dim", inputs: () => [r([2, 3, 2], 31)], fn: ([a]) => a!.mean(1) },
  { name: "mean all", inputs: () => [r([2, 3, 2], 31)], fn: ([a]) => a!.mean() },
  { name: "amax dim", inputs: () => [distinct64([3, 4], 32)], fn: ([a]) => a!.amax(1) },
  {
    name: "amax dims keepdim",
    inputs: () => [distinct64([2, 3, 2], 32)],
    fn: ([a]) => a!.amax([0, 2], true),
  },
  { name: "max dim values", inputs: () => [distinct64([3, 4], 33)], fn: ([a]) => a!.maxDim(0)[0] },
  { name: "max all", inputs: () => [distinct64([3, 4], 33)], fn: ([a]) => a!.max() },
  { name: "prod all", inputs: () => [pos([2, 3], 34)], fn: ([a]) => a!.prod() },
  { name: "prod dim (with negatives)", inputs: () => [r([3, 4], 35)], fn: ([a]) => a!.prod(1) },
  { name: "cumsum", inputs: () => [r([3, 4], 36)], fn: ([a]) => a!.cumsum(1) },
  // indexing
  {
    name: "gather",
    inputs: () => [r([3, 4], 37)],
    fn: ([a]) =>
      a!.gather(
        1,
        long([
          [0, 0],
          [3, 1],
          [2, 2],
        ]),
      ),
  },
  {
    name: "indexSelect with repeats",
    inputs: () => [r([3, 4], 38)],
    fn: ([a]) => a!.indexSelect(0, long([2, 0, 2, 2])),
  },
  { name: "maskedFill", inputs: () => [r([2, 3], 39)], fn: ([a]) => a!.maskedFill(mask23(), -1) },
  { name: "index with mask", inputs: () => [r([2, 3, 2], 40)], fn: ([a]) => a!.mask(mask23()) },
  {
    name: "index with int tensors",
    inputs: () => [r([3, 4], 41)],
    fn: ([a]) => a!.index([long([0, 2, 0]), long([1, 3, 1])]),
  },
  {
    name: "scatterAdd (self and src)",
    inputs: () => [r([3, 4], 42), r([2, 4], 43)],
    fn: ([a, s]) =>
      a!.scatterAdd(
        0,
        long([
          [0, 1, 0, 0],
          [2, 0, 0, 1],
        ]),
        s!,
      ),
  },
  {
    name: "indexPut accumulate (self and values)",
    inputs: () => [r([3, 4], 44), r([3], 45)],
    fn: ([a, v]) => a!.indexPut([long([0, 0, 2]), long([1, 1, 3])], v!, true),
  },
  // shapes
  { name: "cat", inputs: () => [r([2, 3], 46), r([2, 2], 47)], fn: ([a, b]) => torch.cat([a!, b!], 1) },
  { name: "stack", inputs: () => [r([2, 3], 46), r([2, 3], 47)], fn: ([a, b]) => torch.stack([a!, b!], -1) },
  {
    name: "split",
    inputs: () => [r([5, 2], 48)],
    fn: ([a]) => {
      const [p, q, s] = a!.split([1, 3, 1]);
      return torch.cat([p!.mul(2), q!.exp(), s!.sin()]);
    },
  },
  { name: "chunk", inputs: () => [r([2, 6], 49)], fn: ([a]) => a!.chunk(3, 1)[1]!.mul(3) },
  {
    name: "view/reshape",
    inputs: () => [r([2, 6], 50)],
    fn: ([a]) => a!.view(3, 4).transpose(0, 1).reshape(2, 6).exp(),
  },
  { name: "permute", inputs: () => [r([2, 3, 4], 51)], fn: ([a]) => a!.permute(2, 0, 1).cumsum(0) },
  {
    name: "squeeze/unsqueeze",
    inputs: () => [r([1, 3, 1], 52)],
    fn: ([a]) => a!.squeeze().unsqueeze(0).pow(2),
  },
  { name: "expand", inputs: () => [r([3, 1], 53)], fn: ([a]) => a!.expand(2, 3, 4) },
  { name: "repeat", inputs: () => [r([2, 3], 54)], fn: ([a]) => a!.repeat(2, 1, 2) },
  { name: "flip", inputs: () => [r([2, 3], 55)], fn: ([a]) => a!.flip(0, 1).cumsum(1) },
  // nn
  {
    name: "conv2d groups 2, dilation 2, stride 1, padding 2, bias",
    inputs: () => [r([1, 4, 5, 5], 56), r([4, 2, 3, 3], 57, 0.5), r([4], 58)],
    fn: ([x, w, b]) => torch.conv2d(x!, w!, b, { padding: 2, dilation: 2, groups: 2 }),
  },
  {
    name: "conv2d stride 2 no bias",
    inputs: () => [r([2, 2, 5, 5], 59), r([3, 2, 3, 3], 60, 0.5)],
    fn: ([x, w]) => torch.conv2d(x!, w!, null, { stride: 2, padding: 1 }),
  },
  {
    name: "batchNorm train",
    inputs: () => [r([3, 2, 2, 2], 61, 2), pos([2], 62), r([2], 63)],
    fn: ([x, w, b]) =>
      torch.batchNorm(x!, {
        weight: w,
        bias: b,
        runningMean: torch.zeros([2], { dtype: "float64" }),
        runningVar: torch.ones([2], { dtype: "float64" }),
        training: true,
      }),
  },
  {
    name: "maxPool2d k2 s2",
    inputs: () => [distinct64([1, 2, 4, 4], 64)],
    fn: ([x]) => torch.maxPool2d(x!, 2),
  },
  {
    name: "maxPool2d k5 s1 p2 (SPPF)",
    inputs: () => [distinct64([1, 1, 4, 4], 65)],
    fn: ([x]) => torch.maxPool2d(x!, 5, { stride: 1, padding: 2 }),
  },
  {
    name: "upsampleNearest2d x2",
    inputs: () => [r([1, 2, 2, 3], 66)],
    fn: ([x]) => torch.upsampleNearest2d(x!, 2),
  },
  { name: "softmax", inputs: () => [r([3, 4], 67, 2)], fn: ([x]) => torch.softmax(x!, 1) },
  { name: "logSoftmax", inputs: () => [r([3, 4], 68, 2)], fn: ([x]) => torch.logSoftmax(x!, 0) },
  {
    name: "bceWithLogits mean",
    inputs: () => [r([2, 3], 69, 2)],
    fn: ([x]) =>
      torch.bceWithLogits(
        x!,
        f64([
          [1, 0, 0.3],
          [0, 1, 1],
        ]),
      ),
  },
  {
    name: "bceWithLogits posWeight, weight, none",
    // libtorch 1.13 (as PyTorch) does not differentiate with respect to pos_weight: a constant here.
    inputs: () => [r([2, 3], 70, 2)],
    fn: ([x]) =>
      torch.bceWithLogits(
        x!,
        f64([
          [1, 0, 0.3],
          [0, 1, 1],
        ]),
        { posWeight: f64([2, 0.5, 3]), weight: f64([0.5, 1, 2]), reduction: "none" },
      ),
  },
  {
    name: "crossEntropy mean",
    inputs: () => [r([4, 3], 72, 2)],
    fn: ([x]) => torch.crossEntropy(x!, long([0, 2, 1, 2])),
  },
  {
    name: "crossEntropy weight, labelSmoothing, sum",
    inputs: () => [r([4, 3], 73, 2)],
    fn: ([x]) =>
      torch.crossEntropy(x!, long([0, 2, 1, 2]), {
        weight: f64([0.2, 1, 3]),
        labelSmoothing: 0.1,
        reduction: "sum",
      }),
  },
  { name: "matmul", inputs: () => [r([2, 3, 4], 74), r([4, 2], 75)], fn: ([a, b]) => a!.matmul(b!) },
  { name: "bmm", inputs: () => [r([2, 2, 3], 76), r([2, 3, 2], 77)], fn: ([a, b]) => a!.bmm(b!) },
  {
    name: "linear",
    inputs: () => [r([2, 3], 78), r([4, 3], 79), r([4], 80)],
    fn: ([x, w, b]) => torch.linear(x!, w!, b),
  },
];

describe("gradients against finite differences (float64)", () => {
  it.each(CASES)("$name", (c) => {
    const before = torch.liveTensors().count;
    const problems = torch.tidy(() => gradcheck(c.fn, c.inputs()));
    expect(problems).toEqual([]);
    expect(torch.liveTensors().count).toBe(before);
  });
});

describe("gradcheck itself", () => {
  it("notices a wrong gradient (a detached factor hides half of d(x*x)/dx)", () => {
    const problems = torch.tidy(() => gradcheck(([x]) => x!.mul(x!.detach()), [randn64([3], 90)]));
    expect(problems).toHaveLength(3);
  });
});

describe("autograd API", () => {
  const x3 = () => f64([1, -2, 3]).requiresGrad_();

  it("backward with a gradient argument", () => {
    torch.tidy(() => {
      const x = x3();
      x.mul(x).backward(f64([1, 0.5, -1]));
      expect(x.grad!.toNumbers()).toEqual([2, -2, -6]);
    });
  });

  it("accumulates gradients over two backward calls, and zeroGrad clears them", () => {
    torch.tidy(() => {
      const x = x3();
      x.mul(2).sum().backward();
      x.pow(2).sum().backward();
      expect(x.grad!.toNumbers()).toEqual([4, -2, 8]);
      x.zeroGrad();
      expect(x.grad).toBeNull();
      x.mul(3).sum().backward();
      expect(x.grad!.toNumbers()).toEqual([3, 3, 3]);
    });
  });

  it("retainGraph allows a second backward through the same graph; without it, a TorchError", () => {
    torch.tidy(() => {
      const x = x3();
      const y = x.exp().sum();
      y.backward(undefined, true);
      y.backward();
      expect(x.grad!.toNumbers()).toEqual([1, -2, 3].map((v) => 2 * Math.exp(v)));
      expect(() => y.backward()).toThrow(torch.TorchError);
    });
  });

  it("backward of a non-scalar without a gradient is a TorchError", () => {
    torch.tidy(() => {
      expect(() => x3().mul(2).backward()).toThrow(torch.TorchError);
    });
  });

  it("detach stops gradients", () => {
    torch.tidy(() => {
      const x = x3();
      const d = x.detach();
      expect(d.requiresGrad).toBe(false);
      expect(d.isLeaf).toBe(true);
      d.mul(x).sum().backward(); // d is a constant: grad = d
      expect(x.grad!.toNumbers()).toEqual([1, -2, 3]);
    });
  });

  it("noGrad builds no graph and restores the mode", () => {
    torch.tidy(() => {
      const x = x3();
      expect(torch.isGradEnabled()).toBe(true);
      const y = torch.noGrad(() => {
        expect(torch.isGradEnabled()).toBe(false);
        return x.mul(2).add(1);
      });
      expect(torch.isGradEnabled()).toBe(true);
      expect(y.requiresGrad).toBe(false);
      expect(y.isLeaf).toBe(true);
      expect(x.mul(2).requiresGrad).toBe(true);
      expect(() => y.sum().backward()).toThrow(torch.TorchError);
      // An error inside noGrad still restores the mode.
      expect(() => torch.noGrad(() => x.matmul(x3().view(1, 3)))).toThrow(torch.TorchError);
      expect(torch.isGradEnabled()).toBe(true);
    });
  });

  it("intermediate results are not leaves and have no grad; leaves track requiresGrad", () => {
    torch.tidy(() => {
      const x = x3();
      const y = x.mul(2);
      expect(x.isLeaf).toBe(true);
      expect(y.isLeaf).toBe(false);
      y.sum().backward();
      expect(y.grad).toBeNull();
      expect(x.requiresGrad_(false).requiresGrad).toBe(false);
    });
  });
});
