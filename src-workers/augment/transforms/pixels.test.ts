/** Image-only transforms: colour LUTs as Albumentations 1.4.3, blur as cv2.blur, seeded noise. */
import { describe, expect, it } from "vitest";
import { Rng } from "../../data/synth/prng.js";
import { boxBlur } from "./blur.js";
import { brightnessContrastLut, channelLut, colourInPlace, gammaLut, hsvInPlace } from "./colour.js";
import { gaussNoiseInPlace } from "./noise.js";

const random = (n: number, seed = 1): Uint8Array => {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: n }, () => rng.u32() & 255);
};

describe("colour", () => {
  it("brightness/contrast LUT: i*alpha + beta*255, clipped, truncated", () => {
    const lut = brightnessContrastLut({ alpha: 1.2, beta: 0.1 });
    expect(lut[100]).toBe(145); // 120 + 25.5
    expect(lut[0]).toBe(25);
    expect(lut[255]).toBe(255);
    expect(brightnessContrastLut({ alpha: 0.8, beta: -0.2 })[10]).toBe(0);
  });

  it("gamma LUT: (i/255)^g * 255 truncated; gamma 1 is the identity", () => {
    expect([...gammaLut(1)]).toEqual([...Array(256).keys()]);
    expect(gammaLut(2)[128]).toBe(Math.trunc((128 / 255) ** 2 * 255));
  });

  it("zero HSV shift leaves pixels alone; a hue turn keeps greys grey", () => {
    const data = random(300);
    const copy = data.slice();
    hsvInPlace(copy, { hue: 0, sat: 0, val: 0 });
    expect(copy).toEqual(data);
    const grey = Uint8Array.from([50, 50, 50, 200, 200, 200]);
    hsvInPlace(grey, { hue: 15, sat: 0, val: 0 });
    for (const v of grey.subarray(0, 3)) expect(Math.abs(v - 50)).toBeLessThanOrEqual(1);
    for (const v of grey.subarray(3)) expect(Math.abs(v - 200)).toBeLessThanOrEqual(1);
  });

  it("hue shift turns red towards yellow (positive) as OpenCV's H+ does; saturation down greys", () => {
    const red = Uint8Array.from([200, 40, 40]);
    hsvInPlace(red, { hue: 15, sat: 0, val: 0 });
    expect(red[1]!).toBeGreaterThan(red[2]!);
    const px = Uint8Array.from([200, 40, 40]);
    hsvInPlace(px, { hue: 0, sat: -30, val: 0 });
    expect(px[0]! - px[1]!).toBeLessThan(160);
  });

  it("the fused split (channel LUT, then HSV + gamma) equals the standalone order", () => {
    const p = { bc: { alpha: 1.1, beta: -0.05 }, hsv: { hue: 7, sat: 12, val: -9 }, gamma: 0.9 };
    const a = random(3000);
    const b = a.slice();
    colourInPlace(a, p);
    const lut = channelLut(p);
    for (let i = 0; i < b.length; i++) b[i] = lut[b[i]!]!;
    hsvInPlace(b, p.hsv, p.gamma);
    expect(b).toEqual(a);
  });
});

/** cv2.blur by definition: mean over a reflect-101 window, rounded half up. */
function naiveBlur(data: Uint8Array, W: number, H: number, k: number): Uint8Array {
  const r = k >> 1;
  const ref = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const out = new Uint8Array(data.length);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let dy = -r; dy <= r; dy++)
          for (let dx = -r; dx <= r; dx++) s += data[(ref(y + dy, H) * W + ref(x + dx, W)) * 3 + c]!;
        out[(y * W + x) * 3 + c] = Math.floor(s / (k * k) + 0.5);
      }
  return out;
}

describe("box blur", () => {
  for (const k of [3, 5, 7])
    it(`k=${k} matches the definition, borders included`, () => {
      const data = random(13 * 9 * 3, k);
      expect(boxBlur({ data, width: 13, height: 9 }, k).data).toEqual(naiveBlur(data, 13, 9, k));
    });
});

describe("gaussian noise", () => {
  it("is seeded, zero-mean with the asked deviation, and clamps", () => {
    const n = 640 * 3 * 100;
    const a = new Uint8Array(n).fill(128);
    const b = new Uint8Array(n).fill(128);
    gaussNoiseInPlace(a, 640 * 3, { sigma: 5, seed: 9 });
    gaussNoiseInPlace(b, 640 * 3, { sigma: 5, seed: 9 });
    expect(b).toEqual(a);
    const mean = a.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    expect(Math.abs(mean - 128)).toBeLessThan(0.1);
    expect(Math.abs(sd - 5)).toBeLessThan(0.15);
    const dark = new Uint8Array(3000);
    gaussNoiseInPlace(dark, 300, { sigma: 7, seed: 1 });
    expect(dark.some((v) => v > 0)).toBe(true);
  });
});
