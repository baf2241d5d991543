/** Pixels against box maths: the warp and the boxes must describe the same motion. */
import { describe, expect, it } from "vitest";
import { Rng } from "../../data/synth/prng.js";
import type { RawImage } from "../types.js";
import { fromYolo, type Box } from "./boxes.js";
import { cropBoxes, cropResizeMatrix } from "./crop.js";
import {
  compose,
  hflipImage,
  hflipMatrix,
  ssrBoxes,
  ssrMatrix,
  warpAffine,
  type SsrParams,
} from "./geometry.js";

const W = 1000;
const H = 500;

/** Black image with a white filled rectangle [x0, x1) x [y0, y1) in pixels. */
function rectImage(x0: number, y0: number, x1: number, y1: number, w = W, h = H): RawImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = y0; y < y1; y++) data.fill(255, (y * w + x0) * 3, (y * w + x1) * 3);
  return { data, width: w, height: h };
}

/** Pixel extent [x0, y0, x1, y1) of channel-0 values passing `test`. */
function extent(img: RawImage, test: (v: number) => boolean): number[] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity; // prettier-ignore
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      if (test(img.data[(y * img.width + x) * 3]!)) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + 1);
        y1 = Math.max(y1, y + 1);
      }
  return [x0, y0, x1, y1];
}

const px = (b: Box, w = W, h = H): number[] => [b.x0 * w, b.y0 * h, b.x1 * w, b.y1 * h];
const ssr = (p: Partial<SsrParams>): SsrParams => ({ angle: 0, scale: 1, dx: 0, dy: 0, ...p });
const srcBox = fromYolo([{ classId: 0, cx: 0.4, cy: 0.4, w: 0.2, h: 0.4 }]); // [300,100,500,300) px

describe("horizontal flip", () => {
  it("mirrors pixels exactly, and the warp with the flip matrix agrees", () => {
    const rng = new Rng(7);
    const img = {
      data: Uint8Array.from({ length: 37 * 11 * 3 }, () => rng.u32() & 255),
      width: 37,
      height: 11,
    };
    const f = hflipImage(img);
    for (let y = 0; y < 11; y++)
      for (let x = 0; x < 37; x++)
        for (let c = 0; c < 3; c++)
          expect(f.data[(y * 37 + x) * 3 + c]).toBe(img.data[(y * 37 + 36 - x) * 3 + c]);
    expect(warpAffine(img, hflipMatrix(37)).data).toEqual(f.data);
  });
});

describe("shift-scale-rotate pixels vs boxes (probe pixel_vs_box)", () => {
  const img = rectImage(300, 100, 500, 300);
  for (const [name, p, expected] of [
    ["scale 1.5", ssr({ scale: 1.5 }), [200, 25, 500, 325]],
    ["dx 0.1, scale 0.5", ssr({ dx: 0.1, scale: 0.5 }), [500, 175, 600, 275]],
  ] as const) {
    it(`${name}: half-intensity extent of the pixels equals the box`, () => {
      const box = ssrBoxes(srcBox, p, W, H)[0]!;
      px(box).forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-6));
      expect(extent(warpAffine(img, ssrMatrix(p, W, H)), (v) => v >= 128)).toEqual([...expected]);
    });
  }

  it("fills uncovered area with the constant 114", () => {
    const out = warpAffine(rectImage(0, 0, 0, 0), ssrMatrix(ssr({ dx: 0.25 }), W, H));
    expect(out.data[0]).toBe(114);
    expect(out.data[(H * W - 1) * 3]).toBe(0);
  });
});

describe("a filled rectangle stays inside its transformed box", () => {
  const rng = new Rng(42);
  for (let trial = 0; trial < 8; trial++) {
    const p = ssr({
      angle: rng.range(-45, 45),
      scale: rng.range(0.8, 1.2),
      dx: rng.range(-0.1, 0.1),
      dy: rng.range(-0.1, 0.1),
    });
    const crop = trial % 2 === 0 ? { x: 150, y: 40, width: 700, height: 400 } : undefined;
    it(`trial ${trial}: angle ${p.angle.toFixed(1)}, scale ${p.scale.toFixed(2)}${crop ? ", cropped" : ""}`, () => {
      let boxes = srcBox;
      let m = hflipMatrix(W);
      boxes = boxes.map((b) => ({ ...b, x0: 1 - b.x1, x1: 1 - b.x0 }));
      if (crop) {
        m = compose(cropResizeMatrix(crop, W, H), m);
        boxes = cropBoxes(boxes, crop, W, H);
      }
      m = compose(ssrMatrix(p, W, H), m);
      const box = px(ssrBoxes(boxes, p, W, H)[0]!);
      // Anything brighter than the border grey is rectangle (or its one-pixel bilinear rim).
      const [x0, y0, x1, y1] = extent(warpAffine(rectImage(300, 100, 500, 300), m), (v) => v > 120);
      expect(x0).toBeGreaterThanOrEqual(Math.floor(box[0]!));
      expect(y0).toBeGreaterThanOrEqual(Math.floor(box[1]!));
      expect(x1).toBeLessThanOrEqual(Math.ceil(box[2]!));
      expect(y1).toBeLessThanOrEqual(Math.ceil(box[3]!));
      // Without rotation the hull is tight; with it the corners still touch all four sides.
      expect(box[2]! - box[0]! - (x1! - x0!)).toBeLessThan(3);
      expect(box[3]! - box[1]! - (y1! - y0!)).toBeLessThan(3);
    });
  }
});
