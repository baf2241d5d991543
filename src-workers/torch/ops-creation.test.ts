/** Creation (ranges, constants) and dtype conversions/round trips against PyTorch 1.13. */
import { describe, expect, it } from "vitest";
import * as torch from "./index.js";
import { describeReference, type OpTable } from "./test-support.js";

const OPS: OpTable = {
  linspace: (_, a) => torch.linspace(a.start!, a.end!, a.steps!, { dtype: a.dtype }),
  arange: (_, a) => torch.arange(a.start!, a.end, a.step, { dtype: a.dtype }),
  full: (_, a) => torch.full(a.shape!, a.value!, { dtype: a.dtype }),
  zeros: (_, a) => torch.zeros(a.shape!, { dtype: a.dtype }),
  ones: (_, a) => torch.ones(a.shape!, { dtype: a.dtype }),
  to: (x, a) => x[0]!.to(a.dtype),
  toBack: (x, a) => x[0]!.to(a.dtype).to("float32"),
  // The input was already built by torch.tensor(values, { dtype }): it is the output.
  tensor: (x) => x[0]!,
};

describeReference("creation", OPS);

describe("typed-array round trips", () => {
  const cases: [torch.DType, ArrayBufferView][] = [
    ["float32", new Float32Array([1.5, -2.25, 3e-8])],
    ["float64", new Float64Array([1.5, -2.25, 1e-300])],
    ["int64", new BigInt64Array([1n, -(2n ** 60n), 2n ** 62n])],
    ["int32", new Int32Array([1, -(2 ** 31), 2 ** 31 - 1])],
    ["uint8", new Uint8Array([0, 128, 255])],
    ["float16", new Uint16Array([0x3c00, 0xc000, 0x7bff])],
    ["bfloat16", new Uint16Array([0x3f80, 0xc000, 0x7f7f])],
  ];
  it.each(cases)("%s: data() gives back the bytes given", (dtype, data) => {
    torch.tidy(() => {
      const t = torch.tensor(data, [3], { dtype });
      expect(t.dtype).toBe(dtype);
      expect(t.shape).toEqual([3]);
      expect(t.data()).toEqual(data);
    });
  });
  it("bool tensors come back as 0/1 bytes and numbers", () => {
    torch.tidy(() => {
      const t = torch.tensor([true, false, true]);
      expect(t.dtype).toBe("bool");
      expect(t.data()).toEqual(new Uint8Array([1, 0, 1]));
      expect(t.toArray()).toEqual([1, 0, 1]);
    });
  });
  it("float16 words decode to the values they stand for", () => {
    torch.tidy(() => {
      expect(
        torch.tensor(new Uint16Array([0x3c00, 0xc000, 0x7bff]), [3], { dtype: "float16" }).toNumbers(),
      ).toEqual([1, -2, 65504]);
      expect(torch.tensor(new Uint16Array([0x3f80, 0xc000]), [2], { dtype: "bfloat16" }).toNumbers()).toEqual(
        [1, -2],
      );
    });
  });
});
