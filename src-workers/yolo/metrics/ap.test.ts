import { describe, expect, it } from "vitest";
import { apPerClass, computeAp } from "./ap.js";

describe("computeAp", () => {
  it("gives 0.995 for a perfect curve (the 101-point grid ends on the 0 sentinel)", () => {
    expect(computeAp([1], [1]).ap).toBeCloseTo(0.995, 12);
  });

  it("integrates the precision envelope", () => {
    // TP, FP, TP with 2 GT: recall [0.5, 0.5, 1], precision [1, 0.5, 2/3] -> envelope 1 up to 0.5, then 2/3.
    const { ap, mpre } = computeAp([0.5, 0.5, 1], [1, 0.5, 2 / 3]);
    expect(Array.from(mpre)).toEqual([1, 1, 2 / 3, 2 / 3, 0]);
    // Grid points: 1 below recall 0.5, 2/3 from 0.5 to 0.99 (last duplicate wins at 0.5), 0 at 1.
    const trapezoids = 0.49 + (0.01 * (1 + 2 / 3)) / 2 + 0.49 * (2 / 3) + (0.01 * (2 / 3)) / 2;
    expect(ap).toBeCloseTo(trapezoids, 12);
  });
});

describe("apPerClass", () => {
  it("ranks by confidence, ignores classes without GT and gives zeros without predictions", () => {
    const tp = new Uint8Array([0, 1, 1]);
    const res = apPerClass({ tp, nIou: 1, conf: [0.1, 0.9, 0.5], predCls: [0, 0, 7], targetCls: [0, 3] });
    expect(res.classes).toEqual([0, 3]);
    expect(res.nt).toEqual([1, 1]);
    expect(res.ap[0]).toBeCloseTo(0.995, 12); // the TP at 0.9 comes first
    expect(res.ap[1]).toBe(0);
    expect(Array.from(res.p).every(Number.isFinite)).toBe(true);
  });

  it("is empty and finite with no ground truth", () => {
    const res = apPerClass({ tp: new Uint8Array(10), nIou: 10, conf: [0.5], predCls: [1], targetCls: [] });
    expect(res.classes).toEqual([]);
    expect(res.bestIndex).toBe(0);
  });
});
