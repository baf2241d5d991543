/** The default pipeline: seeded per (seed, key, k), boxes per step, pixels and boxes in agreement. */
import { describe, expect, it } from "vitest";
import type { YoloBox } from "../core/labels.js";
import {
  applyBoxes,
  applyVariant,
  augmentVariant,
  DEFAULT_PIPELINE,
  sampleVariant,
  variantRng,
  type VariantParams,
} from "./pipeline.js";
import { fromYolo, NO_FILTER } from "./transforms/boxes.js";
import type { RawImage } from "./types.js";

const W = 320;
const H = 180;

/** Dark frame, each box a white filled rectangle. */
function frame(boxes: readonly YoloBox[]): RawImage {
  const data = new Uint8Array(W * H * 3);
  for (const b of boxes) {
    const x0 = Math.round((b.cx - b.w / 2) * W), x1 = Math.round((b.cx + b.w / 2) * W); // prettier-ignore
    const y0 = Math.round((b.cy - b.h / 2) * H), y1 = Math.round((b.cy + b.h / 2) * H); // prettier-ignore
    for (let y = y0; y < y1; y++) data.fill(255, (y * W + x0) * 3, (y * W + x1) * 3);
  }
  return { data, width: W, height: H };
}

const boxes: YoloBox[] = [
  { classId: 1, cx: 0.3, cy: 0.4, w: 0.1, h: 0.2 },
  { classId: 2, cx: 0.7, cy: 0.6, w: 0.2, h: 0.1 },
];

describe("augmentVariant", () => {
  it("is deterministic for (seed, key, k) and differs between variants", () => {
    const img = frame(boxes);
    const a = augmentVariant(img, boxes, 5, "src/a.jpg", 3);
    const b = augmentVariant(img, boxes, 5, "src/a.jpg", 3);
    expect(b.boxes).toEqual(a.boxes);
    expect(Buffer.from(b.image.data).equals(Buffer.from(a.image.data))).toBe(true);
    const others = [1, 2, 4, 5, 6, 7].map((k) => augmentVariant(img, boxes, 5, "src/a.jpg", k));
    expect(others.some((o) => !Buffer.from(o.image.data).equals(Buffer.from(a.image.data)))).toBe(true);
    expect(img.data).toEqual(frame(boxes).data); // input untouched
  });

  it("keeps size, and every box inside the image with positive size", () => {
    for (let k = 1; k <= 7; k++)
      for (const key of ["a", "b", "c", "d"]) {
        const v = augmentVariant(frame(boxes), boxes, 1, key, k);
        expect([v.image.width, v.image.height, v.image.data.length]).toEqual([W, H, W * H * 3]);
        for (const b of v.boxes) {
          expect(b.w).toBeGreaterThan(0);
          expect(b.h).toBeGreaterThan(0);
          expect(b.cx - b.w / 2).toBeGreaterThanOrEqual(-1e-12);
          expect(b.cx + b.w / 2).toBeLessThanOrEqual(1 + 1e-12);
        }
      }
  });

  it("samples within the configured ranges", () => {
    for (let k = 0; k < 200; k++) {
      const p = sampleVariant(variantRng(3, "x", k), W, H, fromYolo(boxes));
      if (p.ssr) {
        expect(Math.abs(p.ssr.angle)).toBeLessThanOrEqual(DEFAULT_PIPELINE.ssr.rotate);
        expect(Math.abs(p.ssr.scale - 1)).toBeLessThanOrEqual(DEFAULT_PIPELINE.ssr.scaleLimit);
      }
      if (p.crop) {
        expect(p.crop.x).toBeGreaterThanOrEqual(0);
        expect(p.crop.x + p.crop.width).toBeLessThanOrEqual(W);
        expect(p.crop.y + p.crop.height).toBeLessThanOrEqual(H);
        // Bbox-safe: the window holds every box (up to the 1 px integer truncation).
        for (const b of applyBoxes(fromYolo(boxes), { flip: p.flip, colour: {} }, W, H))
          expect(b.x0 * W).toBeGreaterThanOrEqual(p.crop.x - 1e-9);
      }
      if (p.blur !== undefined) expect([3, 5, 7]).toContain(p.blur);
    }
  });
});

describe("fixed parameters", () => {
  const params: VariantParams = {
    flip: true,
    crop: { x: 40, y: 20, width: 240, height: 140 },
    ssr: { angle: 25, scale: 1.05, dx: 0.03, dy: -0.02 },
    colour: {},
  };

  it("boxes: flip, crop, SSR, each filtered, as composed by hand", () => {
    const out = applyVariant(frame(boxes), boxes, params, NO_FILTER).boxes;
    expect(out.length).toBe(2);
    expect(out.map((b) => b.classId)).toEqual([1, 2]);
    expect(out[0]!.cx).toBeGreaterThan(0.5); // box 1 was left of centre, flipped to the right
  });

  it("every rectangle's pixels stay inside its transformed box", () => {
    const v = applyVariant(frame(boxes), boxes, params, NO_FILTER);
    const inside = (x: number, y: number) =>
      v.boxes.some(
        (b) =>
          x >= Math.floor((b.cx - b.w / 2) * W) &&
          x < Math.ceil((b.cx + b.w / 2) * W) &&
          y >= Math.floor((b.cy - b.h / 2) * H) &&
          y < Math.ceil((b.cy + b.h / 2) * H),
      );
    let lit = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        if (v.image.data[(y * W + x) * 3]! > 120) {
          lit++;
          expect(inside(x, y)).toBe(true);
        }
    expect(lit).toBeGreaterThan(500);
  });

  it("min_visibility drops a box pushed mostly out by the shift", () => {
    const edge: YoloBox[] = [{ classId: 0, cx: 0.95, cy: 0.5, w: 0.1, h: 0.1 }];
    const p: VariantParams = { flip: false, ssr: { angle: 0, scale: 1, dx: 0.08, dy: 0 }, colour: {} };
    expect(applyVariant(frame(edge), edge, p).boxes).toEqual([]);
    expect(applyVariant(frame(edge), edge, p, NO_FILTER).boxes.length).toBe(1);
  });
});
