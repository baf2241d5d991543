import { describe, expect, it } from "vitest";
import { Canvas } from "./canvas.js";
import { Pen } from "./pen.js";
import { Rng, streamKey } from "./prng.js";

/** Bounds of the pixels that are not the fill colour: what a person would box. */
function changedBounds(
  c: Canvas,
  bg: number,
): { x0: number; y0: number; x1: number; y1: number } | undefined {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      if (c.data[(y * c.width + x) * 3] !== bg) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + 1);
        y1 = Math.max(y1, y + 1);
      }
    }
  }
  return x1 < 0 ? undefined : { x0, y0, x1, y1 };
}

describe("Canvas", () => {
  it("fills an axis-aligned rectangle exactly, by pixel centres", () => {
    const c = new Canvas(20, 10);
    c.polygon([2, 3, 7, 3, 7, 6, 2, 6], [200, 0, 0]);
    expect(c.bounds()).toEqual({ x0: 2, y0: 3, x1: 7, y1: 6 });
    expect(changedBounds(c, 0)).toEqual({ x0: 2, y0: 3, x1: 7, y1: 6 });
    let n = 0;
    for (let i = 0; i < c.data.length; i += 3) if (c.data[i] === 200) n++;
    expect(n).toBe(5 * 3);
  });

  it("tracks the tight bounds of rotated shapes, clipped to the canvas", () => {
    const c = new Canvas(64, 64);
    const pen = new Pen(c, 60, 30, 0.7, 30);
    pen.rect(0, 0, 1, 0.3, [90, 90, 90]);
    pen.line(-0.5, 0, 0.5, 0.4, 0.05, [90, 90, 90]);
    const b = c.bounds()!;
    expect(b).toEqual(changedBounds(c, 0));
    expect(b.x1).toBe(64);
  });

  it("leaves bounds alone while tracking is off (cast shadows)", () => {
    const c = new Canvas(32, 32);
    c.track = false;
    c.ellipse(16, 16, 5, 3, 0, [50, 50, 50], 0.5);
    c.track = true;
    expect(c.bounds()).toBeUndefined();
    c.blob(8, 8, 4, [255, 255, 255], 1);
    const b = c.bounds()!;
    expect(b.x0).toBeGreaterThanOrEqual(4);
    expect(b.x1).toBeLessThanOrEqual(12);
    c.resetBounds();
    expect(c.bounds()).toBeUndefined();
  });

  it("blends with alpha and never wraps past 255", () => {
    const c = new Canvas(4, 1);
    c.fill([100, 100, 100]);
    c.span(0, 0, 2, [200, 200, 200], 0.5);
    expect(c.data[0]).toBe(150);
    c.span(0, 2, 4, [250, 250, 250], 1, () => 1.5);
    expect(c.data[6]).toBe(255);
  });

  it("keeps thin strokes at least a pixel wide", () => {
    const c = new Canvas(40, 40);
    c.line(2, 2, 38, 30, 0.1, [255, 255, 255]);
    let n = 0;
    for (let i = 0; i < c.data.length; i += 3) if (c.data[i] === 255) n++;
    expect(n).toBeGreaterThan(30);
  });
});

describe("Rng", () => {
  it("repeats a stream for the same key and separates nearby keys", () => {
    const a = Rng.of(1, 2, 0);
    const b = Rng.of(1, 2, 0);
    const xs = Array.from({ length: 5 }, () => a.u32());
    expect(Array.from({ length: 5 }, () => b.u32())).toEqual(xs);
    const keys = new Set<number>();
    for (let seed = 0; seed < 20; seed++)
      for (let i = 0; i < 50; i++) for (let s = 0; s < 3; s++) keys.add(streamKey(seed, i, s));
    expect(keys.size).toBe(20 * 50 * 3);
  });

  it("stays in range", () => {
    const r = new Rng(99);
    for (let k = 0; k < 2000; k++) {
      const v = r.next();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      const n = r.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
  });
});
