/** The AMP loss scaler: scaling, unscaling, skipped steps on inf/NaN, backoff and growth, state. */
import { describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { GradScaler, optimizerStep } from "./grad-scaler.js";

function param(values: number[]) {
  const p = torch.keep(torch.tensor(Float32Array.from(values), [values.length]).requiresGrad_());
  return p;
}

function setGrad(p: ReturnType<typeof param>, values: number[]) {
  p.grad = torch.keep(torch.tensor(Float32Array.from(values), [values.length]));
}

describe("GradScaler", () => {
  it("starts at 65536, scales the loss and unscales the gradients", () => {
    const s = new GradScaler({ enabled: true });
    expect(s.scale).toBe(65536);
    const loss = torch.keep(torch.tensor(Float32Array.from([1.5]), [1]));
    expect(torch.tidy(() => s.scaleLoss(loss).toNumbers())).toEqual([1.5 * 65536]);
    const p = param([1, 2]);
    setGrad(p, [65536 * 0.25, 65536 * -3]);
    s.unscale([p]);
    expect(p.grad!.toNumbers()).toEqual([0.25, -3]);
    [loss, p].forEach((t) => t.dispose());
  });

  it("skips the step on inf/NaN gradients and halves the scale; steps and keeps it otherwise", () => {
    const s = new GradScaler({ enabled: true });
    const p = param([1, 1]);
    const opt = new torch.SGD([p], { lr: 0.1 });
    try {
      setGrad(p, [Infinity, 1]);
      expect(optimizerStep([p], opt, s)).toBe(false);
      expect(p.toNumbers()).toEqual([1, 1]);
      expect(s.scale).toBe(32768);
      setGrad(p, [NaN, 0]);
      expect(optimizerStep([p], opt, s)).toBe(false);
      expect(s.scale).toBe(16384);
      setGrad(p, [16384 * 1, 16384 * 2]);
      expect(optimizerStep([p], opt, s)).toBe(true);
      const [a, b] = p.toNumbers();
      expect(a).toBeCloseTo(1 - 0.1 * 1, 6);
      expect(b).toBeCloseTo(1 - 0.1 * 2, 6);
      expect(s.scale).toBe(16384);
      expect(s.stateDict()).toEqual({ scale: 16384, growthTracker: 1 });
    } finally {
      opt.dispose();
      p.dispose();
    }
  });

  it("doubles the scale after growthInterval good steps in a row; a bad step resets the count", () => {
    const s = new GradScaler({ enabled: true, initScale: 8, growthInterval: 3 });
    expect([s.update(true), s.update(true)]).toEqual([true, true]);
    expect(s.update(false)).toBe(false);
    expect(s.scale).toBe(4);
    s.update(true);
    s.update(true);
    expect(s.scale).toBe(4);
    s.update(true);
    expect(s.scale).toBe(8);
    expect(s.stateDict()).toEqual({ scale: 8, growthTracker: 0 });
    const t = new GradScaler({ enabled: true });
    t.loadStateDict({ scale: 1024, growthTracker: 7 });
    expect(t.stateDict()).toEqual({ scale: 1024, growthTracker: 7 });
    expect(() => t.loadStateDict({ scale: -1, growthTracker: 0 })).toThrow(/bad state/);
  });

  it("disabled (CPU), it is the identity and always steps", () => {
    const s = new GradScaler({ enabled: false });
    expect(s.scale).toBe(1);
    const p = param([1]);
    const opt = new torch.SGD([p], { lr: 1 });
    try {
      setGrad(p, [2]);
      expect(optimizerStep([p], opt, s)).toBe(true);
      expect(p.toNumbers()).toEqual([-1]);
      expect(s.update(false)).toBe(true);
    } finally {
      opt.dispose();
      p.dispose();
    }
  });
});

describe("withAutocast", () => {
  it("turns CUDA autocast on for the callback only, also when it throws", () => {
    expect(torch.isAutocastEnabled()).toBe(false);
    expect(torch.withAutocast(true, () => torch.isAutocastEnabled())).toBe(true);
    expect(torch.isAutocastEnabled()).toBe(false);
    expect(torch.withAutocast(false, () => torch.isAutocastEnabled())).toBe(false);
    expect(() =>
      torch.withAutocast(true, () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(torch.isAutocastEnabled()).toBe(false);
    // CPU tensors are not cast: the result is float32 and the same as without autocast.
    const x = torch.keep(torch.tensor(Float32Array.from([1, 2, 3, 4]), [2, 2]));
    const y = torch.withAutocast(true, () => torch.tidy(() => torch.keep(x.matmul(x))));
    expect(y.dtype).toBe("float32");
    expect(y.toNumbers()).toEqual([7, 10, 15, 22]);
    [x, y].forEach((t) => t.dispose());
  });
});
