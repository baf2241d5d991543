/**
 * Failures: libtorch errors become TorchError naming the op and its inputs ("matmul(float32[2,2],
 * float32[3,3]): ..."), with no C++ backtrace; wrong JS argument types are TypeErrors naming the op
 * and argument; nothing crashes the process, scopes still free their tensors, and later ops work.
 */
import { describe, expect, it } from "vitest";
import * as torch from "./index.js";
import type { Tensor } from "./index.js";

const f32 = (shape: number[]) => torch.zeros(shape);
const i64 = (v: number[][] | number[]) => torch.tensor(v, { dtype: "int64" });
/** Something that is not a tensor, passed where one is expected (as untyped JS code could). */
const notATensor = { native: 5 } as unknown as Tensor;

interface ErrorCase {
  readonly name: string;
  readonly run: () => unknown;
  /** The op and inputs TorchError names: the message starts with `${op}(${inputs}): `. */
  readonly op: string;
  readonly inputs: string;
  readonly detail: RegExp;
}

const TORCH_ERRORS: ErrorCase[] = [
  {
    name: "matmul of 2x2 by 3x3",
    run: () => f32([2, 2]).matmul(f32([3, 3])),
    op: "matmul",
    inputs: "float32[2,2], float32[3,3]",
    detail: /shapes cannot be multiplied \(2x2 and 3x3\)/,
  },
  {
    name: "bmm with mismatched batches",
    run: () => f32([2, 2, 3]).bmm(f32([2, 2, 3])),
    op: "bmm",
    inputs: "float32[2,2,3], float32[2,2,3]",
    detail: /batch2/,
  },
  {
    name: "conv2d weight with the wrong number of input channels",
    run: () => torch.conv2d(f32([1, 3, 8, 8]), f32([4, 2, 3, 3])),
    op: "conv2d",
    inputs: "float32[1,3,8,8], float32[4,2,3,3]",
    detail: /expected input\[1, 3, 8, 8\] to have 2 channels/,
  },
  {
    name: "view to an incompatible shape",
    run: () => f32([2, 3]).view(4, 2),
    op: "view",
    inputs: "float32[2,3]",
    detail: /shape '\[4, 2\]' is invalid for input of size 6/,
  },
  {
    name: "view of a non-contiguous tensor",
    run: () => f32([2, 3]).transpose(0, 1).view(6),
    op: "view",
    inputs: "float32[3,2]",
    detail: /Use \.reshape/,
  },
  {
    name: "reshape to a wrong size",
    run: () => f32([2, 3]).reshape(4, 4),
    op: "reshape",
    inputs: "float32[2,3]",
    detail: /invalid for input of size 6/,
  },
  {
    name: "expand of a non-singleton dim",
    run: () => f32([2, 3]).expand(4, 3),
    op: "expand",
    inputs: "float32[2,3]",
    detail: /must match the existing size/,
  },
  {
    name: "cat of mismatched shapes",
    run: () => torch.cat([f32([2, 3]), f32([2, 4])]),
    op: "cat",
    inputs: "float32[2,3], float32[2,4]",
    detail: /Sizes of tensors must match/,
  },
  {
    name: "stack of different shapes",
    run: () => torch.stack([f32([2]), f32([3])]),
    op: "stack",
    inputs: "float32[2], float32[3]",
    detail: /equal size/,
  },
  {
    name: "gather with an out-of-range index",
    run: () => f32([2, 3]).gather(1, i64([[5]])),
    op: "gather",
    inputs: "float32[2,3], int64[1,1]",
    detail: /index 5 is out of bounds for dimension 1 with size 3/,
  },
  {
    name: "gather with a float index",
    run: () => f32([2, 3]).gather(1, f32([2, 1])),
    op: "gather",
    inputs: "float32[2,3], float32[2,1]",
    detail: /int64/,
  },
  {
    name: "indexSelect out of range",
    run: () => f32([2, 3]).indexSelect(0, i64([2])),
    op: "indexSelect",
    inputs: "float32[2,3], int64[1]",
    detail: /out of range/,
  },
  {
    name: "bceWithLogits with an int64 target",
    run: () => torch.bceWithLogits(f32([3]), i64([1, 0, 1])),
    op: "bceWithLogits",
    inputs: "float32[3], int64[3]",
    detail: /Long/,
  },
  {
    name: "crossEntropy with int64 logits",
    run: () => torch.crossEntropy(torch.zeros([2, 3], { dtype: "int64" }), i64([0, 1])),
    op: "crossEntropy",
    inputs: "int64[2,3], int64[2]",
    detail: /not implemented for 'Long'/,
  },
  {
    name: "matmul of float32 by float64",
    run: () => f32([2, 2]).matmul(torch.zeros([2, 2], { dtype: "float64" })),
    op: "matmul",
    inputs: "float32[2,2], float64[2,2]",
    detail: /expected scalar type Float but found Double/,
  },
  {
    name: "batchNorm with running stats of the wrong size",
    run: () => torch.batchNorm(f32([2, 3, 4, 4]), { runningMean: f32([4]), runningVar: torch.ones([4]) }),
    op: "batchNorm",
    inputs: "float32[2,3,4,4], float32[4], float32[4]",
    detail: /running_mean should contain 3 elements not 4/,
  },
  {
    name: "nms with boxes that are not (N, 4)",
    run: () => torch.nms(f32([3, 5]), f32([3]), 0.5),
    op: "nms",
    inputs: "float32[3,5], float32[3]",
    detail: /boxes must be \(N, 4\)/,
  },
  {
    name: "integer division by zero",
    run: () => i64([1, 2]).floorDivide(0),
    op: "floorDivide",
    inputs: "int64[2]",
    detail: /ZeroDivision/,
  },
];

const TYPE_ERRORS: { name: string; run: () => unknown; message: RegExp }[] = [
  {
    name: "a non-tensor where a tensor is needed",
    run: () => f32([2, 2]).matmul(notATensor),
    message: /^matmul: argument 1 must be a tensor$/,
  },
  {
    name: "a non-tensor in a tensor list",
    run: () => torch.cat([f32([2]), notATensor]),
    message: /^cat: argument 0 must be an array of tensors$/,
  },
  {
    name: "a non-tensor index",
    run: () => f32([2]).gather(0, notATensor),
    message: /^gather: argument 2 must be a tensor$/,
  },
  {
    name: "a string where a number is needed",
    run: () => f32([2]).add("x" as unknown as number),
    message: /^add: argument 1 must be a number or boolean$/,
  },
  {
    name: "a fractional dim",
    run: () => f32([2, 2]).sum(0.5),
    message: /^sum: argument 1 must be an array of integers|^sum: argument 1 must be an integer/,
  },
  {
    name: "an unknown dtype",
    run: () => f32([2]).to("float8" as torch.DType),
    message: /unknown dtype 'float8'/,
  },
  {
    name: "an unknown reduction",
    run: () => torch.bceWithLogits(f32([3]), f32([3]), { reduction: "avg" as torch.Reduction }),
    message: /^bceWithLogits: reduction must be mean, sum or none$/,
  },
];

describe("libtorch failures are TorchErrors naming the op and its inputs", () => {
  it.each(TORCH_ERRORS)("$name", (c) => {
    const before = torch.liveTensors().count;
    let caught: unknown;
    torch.tidy(() => {
      try {
        c.run();
      } catch (err) {
        caught = err;
      }
    });
    expect(caught).toBeInstanceOf(torch.TorchError);
    const e = caught as torch.TorchError;
    expect(e.name).toBe("TorchError");
    expect(e.op).toBe(c.op);
    expect(e.inputs).toBe(c.inputs);
    expect(e.message.startsWith(`${c.op}(${c.inputs}): `)).toBe(true);
    expect(e.message).toMatch(c.detail);
    expect(e.message).not.toMatch(/Exception raised from|frame #\d/);
    expect(e.detail).not.toContain("\n");
    // Everything the failed scope made is freed; the addon still works.
    expect(torch.liveTensors().count).toBe(before);
    expect(torch.tidy(() => torch.tensor([1, 2]).add(1).sum().item())).toBe(5);
  });
});

describe("wrong JS argument types are TypeErrors naming the op", () => {
  it.each(TYPE_ERRORS)("$name", (c) => {
    const before = torch.liveTensors().count;
    let caught: unknown;
    torch.tidy(() => {
      try {
        c.run();
      } catch (err) {
        caught = err;
      }
    });
    expect(caught).toBeInstanceOf(TypeError);
    expect((caught as Error).message).toMatch(c.message);
    expect(torch.liveTensors().count).toBe(before);
  });
});

describe("disposed tensors and survival", () => {
  it("using a disposed tensor throws (as the receiver or as an argument), and disposing twice is harmless", () => {
    torch.tidy(() => {
      const a = f32([2]);
      a.dispose();
      expect(a.isDisposed).toBe(true);
      expect(() => a.add(1)).toThrow(/^add: argument 0 must be a live tensor, not one already disposed$/);
      expect(() => f32([2]).add(a)).toThrow(
        /^add: argument 1 must be a live tensor, not one already disposed$/,
      );
      expect(() => torch.cat([f32([2]), a])).toThrow(
        /^cat: argument 0 must be an array of live tensors \(one was disposed\)$/,
      );
      expect(() => a.dispose()).not.toThrow();
    });
  });

  it("many failures in a row leave the process and the counters sound", () => {
    const before = torch.liveTensors().count;
    for (let i = 0; i < 200; i++) {
      expect(() => torch.tidy(() => f32([2, 2]).matmul(f32([3, 3])))).toThrow(torch.TorchError);
    }
    expect(torch.liveTensors().count).toBe(before);
    expect(
      torch.tidy(() =>
        torch
          .ones([2, 2])
          .matmul(torch.ones([2, 2]))
          .toArray(),
      ),
    ).toEqual([
      [2, 2],
      [2, 2],
    ]);
  });
});

describe("tidy", () => {
  it("frees everything not returned, keeps what is returned or kept", () => {
    const before = torch.liveTensors().count;
    const [kept, returned] = torch.tidy(() => {
      const a = torch.ones([3]);
      const b = a.mul(2).add(1);
      const k = torch.keep(b.sum());
      torch.tidy(() => b.exp().log()); // inner result moves to this scope, freed at its end
      return [k, { r: b.max() }];
    });
    expect(torch.liveTensors().count).toBe(before + 2);
    expect(kept.item()).toBe(9);
    expect(returned.r.item()).toBe(3);
    torch.dispose([kept, returned]);
    expect(torch.liveTensors().count).toBe(before);
  });
});
