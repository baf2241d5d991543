/** batch -1: the batch chosen from memory probes (an injected probe stands in for the GPU). */
import { describe, expect, it } from "vitest";
import { DetectionModel } from "../model/detection-model.js";
import { AUTOBATCH_DEFAULT, autoBatch, chooseBatch, probeSizes, type MemoryProbe } from "./autobatch.js";

const GiB = 2 ** 30;

/** Memory of a model: `base` bytes plus `perImage` a batch, out of memory beyond `limit`. */
function linearProbe(base: number, perImage: number, limit = Infinity): MemoryProbe & { calls: number[] } {
  const calls: number[] = [];
  const probe = (b: number) => {
    calls.push(b);
    const m = base + perImage * b;
    return m > limit ? null : m;
  };
  return Object.assign(probe, { calls });
}

describe("chooseBatch", () => {
  it("solves the fitted line for the fraction of available memory", () => {
    const probe = linearProbe(1 * GiB, 0.5 * GiB);
    const r = chooseBatch({ total: 24 * GiB, available: 22 * GiB }, probe, 0.9);
    // (22 * 0.9 - 1) / 0.5 = 37.6 -> 37
    expect(r.batch).toBe(37);
    expect(r.fraction!).toBeCloseTo((1 + 0.5 * 37) / 22, 6);
    expect(probe.calls).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(r.notice).toMatch(/batch 37 uses about 89% of 22\.0 GiB/);
  });

  it("probes up to 16 on a device under 16 GiB", () => {
    expect(probeSizes(8 * GiB)).toEqual([1, 2, 4, 8, 16]);
    const probe = linearProbe(0.5 * GiB, 0.1 * GiB);
    chooseBatch({ total: 8 * GiB, available: 8 * GiB }, probe);
    expect(probe.calls).toEqual([1, 2, 4, 8, 16]);
  });

  it("steps below a batch that ran out of memory although the line says it fits", () => {
    // The line predicts 57 fits, but 32 already failed (fragmentation, other processes): take 16.
    const probe = linearProbe(1 * GiB, 0.25 * GiB, 6 * GiB);
    const r = chooseBatch({ total: 24 * GiB, available: 16 * GiB }, probe, 0.95);
    expect(probe.calls).toEqual([1, 2, 4, 8, 16, 32]);
    expect(r.batch).toBe(16);
  });

  it("falls back to the default when the probes cannot be fitted or the answer is out of range", () => {
    const flat = chooseBatch({ total: 24 * GiB, available: 20 * GiB }, () => 2 * GiB);
    expect(flat.batch).toBe(AUTOBATCH_DEFAULT);
    expect(flat.notice).toMatch(/too few memory probes/);
    const huge = chooseBatch({ total: 100 * GiB, available: 100 * GiB }, linearProbe(0, 1e-3 * GiB));
    expect(huge.batch).toBe(AUTOBATCH_DEFAULT);
    expect(huge.notice).toMatch(/out of range 1-1024/);
    const none = chooseBatch({ total: 24 * GiB, available: 20 * GiB }, () => null);
    expect(none.batch).toBe(AUTOBATCH_DEFAULT);
  });
});

describe("autoBatch", () => {
  it("uses the default batch with a notice on the CPU, without probing", () => {
    const model = new DetectionModel({ scale: "n", nc: 2 });
    try {
      const r = autoBatch(model, "cpu", 320);
      expect(r.batch).toBe(16);
      expect(r.notice).toMatch(/needs a CUDA device.*default batch 16 on cpu/);
    } finally {
      model.dispose();
    }
  });
});
