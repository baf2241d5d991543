import { describe, expect, it } from "vitest";
import * as torch from "./index.js";

describe("torch smoke", () => {
  it("adds, scopes and reports errors", () => {
    const before = torch.liveTensors().count;
    const r = torch.tidy(() => {
      const a = torch.tensor([
        [1, 2],
        [3, 4],
      ]);
      const b = a.add(1).mul(2);
      return b.sum();
    });
    expect(r.item()).toBe(28);
    r.dispose();
    expect(torch.liveTensors().count).toBe(before);
    const a = torch.zeros([2, 2]);
    expect(() => a.matmul(torch.zeros([3, 3]))).toThrow(torch.TorchError);
    expect(() => a.matmul(torch.zeros([3, 3]))).toThrow(
      /matmul\(float32\[2,2\], float32\[3,3\]\): mat1 and mat2 shapes cannot be multiplied/,
    );
  });
});
