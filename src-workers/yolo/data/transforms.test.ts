import { describe, expect, it } from "vitest";
import { Rng } from "../../data/synth/prng.js";
import { letterboxBatch } from "../predict/image.js";
import { affineBoxes, boxCandidate, randomAffine } from "./affine.js";
import { hflip, vflip } from "./flip.js";
import { letterboxBoxes, letterboxRgb, squareGeometry } from "./letterbox.js";
import { mosaic4 } from "./mosaic.js";
import type { PxBox, RawImage, Sample } from "./sample.js";

const COLOURS = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 0],
  [255, 0, 255],
] as const;

/** Grey image with filled rectangles, class k painted COLOURS[k]. */
function scene(w: number, h: number, rects: readonly PxBox[]): Sample {
  const data = new Uint8Array(w * h * 3).fill(60);
  for (const r of rects)
    for (let y = r.y1; y < r.y2; y++)
      for (let x = r.x1; x < r.x2; x++) data.set(COLOURS[r.cls]!, (y * w + x) * 3);
  return { img: { data, width: w, height: h }, boxes: rects };
}

const isColour = (img: RawImage, i: number, c: readonly number[]): boolean =>
  Math.abs(img.data[i * 3]! - c[0]!) <= 3 &&
  Math.abs(img.data[i * 3 + 1]! - c[1]!) <= 3 &&
  Math.abs(img.data[i * 3 + 2]! - c[2]!) <= 3;

/** Every pixel of the box's colour lies inside it (1 px slack), and most of the box is that colour. */
function expectFollows(s: Sample, minFill: number): void {
  const { img } = s;
  for (const b of s.boxes) {
    const c = COLOURS[b.cls]!;
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++) {
        if (!isColour(img, y * img.width + x, c)) continue;
        if (x >= b.x1 - 1 && x < b.x2 + 1 && y >= b.y1 - 1 && y < b.y2 + 1) inside++;
        else outside++;
      }
    expect(outside, `class ${b.cls} pixels outside its box`).toBe(0);
    expect(inside / ((b.x2 - b.x1) * (b.y2 - b.y1)), `class ${b.cls} fill`).toBeGreaterThan(minFill);
  }
}

const HYP = { degrees: 0, translate: 0.1, scale: 0.5, shear: 0 };

describe("yolo data transforms", () => {
  it("flips move boxes with the pixels", () => {
    const s = scene(64, 48, [{ cls: 0, x1: 3, y1: 5, x2: 20, y2: 30 }]);
    expectFollows(hflip(s), 0.99);
    expectFollows(vflip(s), 0.99);
    expect(hflip(s).boxes[0]).toEqual({ cls: 0, x1: 44, y1: 5, x2: 61, y2: 30 });
  });

  it("mosaic places four images and their boxes on a 2S canvas, clipped", () => {
    const S = 64;
    for (let seed = 0; seed < 10; seed++) {
      const parts = [0, 1, 2, 3].map((k) =>
        scene(64, 40 + 6 * k, [{ cls: k, x1: 10, y1: 8, x2: 50, y2: 30 }]),
      );
      const m = mosaic4(parts, S, Rng.of(seed, 0, 0));
      expect([m.img.width, m.img.height]).toEqual([128, 128]);
      expectFollows(m, 0.99);
      for (const b of m.boxes) expect(b.x1 >= 0 && b.y1 >= 0 && b.x2 <= 128 && b.y2 <= 128).toBe(true);
    }
  });

  it("affine (translate/scale, and with rotation and shear) keeps boxes on their pixels", () => {
    for (let seed = 0; seed < 10; seed++) {
      const s = scene(96, 96, [
        { cls: 0, x1: 10, y1: 10, x2: 40, y2: 30 },
        { cls: 2, x1: 50, y1: 40, x2: 90, y2: 90 },
      ]);
      expectFollows(randomAffine(s, HYP, Rng.of(seed, 1, 0)), 0.8); // edges blend when shrunk
      // A rotated, shrunk rectangle fills about half of its hull, less its blended edges.
      expectFollows(randomAffine(s, { ...HYP, degrees: 30, shear: 5 }, Rng.of(seed, 2, 0)), 0.3);
    }
  });

  it("mosaic then affine to S keeps boxes on their pixels", () => {
    for (let seed = 0; seed < 5; seed++) {
      const parts = [0, 1, 2, 3].map((k) => scene(64, 64, [{ cls: k, x1: 12, y1: 12, x2: 52, y2: 40 }]));
      const rng = Rng.of(seed, 3, 0);
      const out = randomAffine(mosaic4(parts, 64, rng), HYP, rng, -32);
      expect([out.img.width, out.img.height]).toEqual([64, 64]);
      expectFollows(out, 0.9);
    }
  });

  it("drops degenerate boxes (box_candidates)", () => {
    expect(boxCandidate(10, 10, 2, 10)).toBe(false); // not wider than 2 px
    expect(boxCandidate(100, 100, 20, 40)).toBe(false); // 8% of its scaled area left
    expect(boxCandidate(400, 5, 350, 4)).toBe(true); // aspect 87.5
    expect(boxCandidate(600, 5, 500, 4)).toBe(false); // aspect 125
    const m = [1, 0, -50, 0, 1, 0] as const; // shift left 50 px
    const kept = affineBoxes(
      [
        { cls: 0, x1: 10, y1: 10, x2: 52, y2: 30 }, // 2 px left: dropped
        { cls: 1, x1: 40, y1: 10, x2: 90, y2: 30 }, // 40 of 50 px left: kept
        { cls: 2, x1: 60, y1: 10, x2: 61, y2: 30 }, // 1 px wide: dropped
      ],
      m,
      1,
      100,
      100,
    );
    expect(kept.map((b) => b.cls)).toEqual([1]);
  });

  it("validation letterbox is the predictor's letterbox", () => {
    const s = scene(150, 90, [{ cls: 1, x1: 20, y1: 10, x2: 80, y2: 60 }]);
    const g = squareGeometry(150, 90, 64);
    const mine = letterboxRgb(s.img, g);
    const { tensor } = letterboxBatch([s.img], 64, 32, false);
    try {
      expect(tensor.shape).toEqual([1, 3, 64, 64]);
      const ref = tensor.data() as Float32Array;
      let maxDiff = 0;
      for (let p = 0; p < 64 * 64; p++)
        for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs(ref[c * 4096 + p]! - mine.data[p * 3 + c]! / 255)); // prettier-ignore
      expect(maxDiff).toBeLessThan(1e-6);
    } finally {
      tensor.dispose();
    }
    expectFollows({ img: mine, boxes: letterboxBoxes(s.boxes, g) }, 0.9);
  });
});
