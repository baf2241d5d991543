import { describe, expect, it } from "vitest";
import { classCatalog } from "../../core/classes.js";
import { formatLabels, parseLabels } from "../../core/labels.js";
import { EMPTY_SHARE, generateSynthImage, type SynthImage } from "./scene.js";
import { MODE_NAMES } from "./weather.js";

const catalog = classCatalog();
const SIZE = 640;
const SEED = 11;
// One sample shared by the property tests: 60 frames at full size (about a second to make).
const frames: SynthImage[] = Array.from({ length: 60 }, (_, i) => generateSynthImage(SEED, i, SIZE));
const mean = (xs: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  return sum / xs.length;
};

describe("generateSynthImage", () => {
  it("is deterministic: same seed and index give the same bytes and boxes", () => {
    const a = generateSynthImage(7, 3, 256);
    const b = generateSynthImage(7, 3, 256);
    expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb))).toBe(true);
    expect(a.boxes).toEqual(b.boxes);
    expect(a.mode).toBe(b.mode);
    expect(a.rgb.length).toBe(256 * 256 * 3);
  });

  it("differs with the seed and with the index", () => {
    const a = Buffer.from(generateSynthImage(7, 3, 256).rgb);
    expect(a.equals(Buffer.from(generateSynthImage(8, 3, 256).rgb))).toBe(false);
    expect(a.equals(Buffer.from(generateSynthImage(7, 4, 256).rgb))).toBe(false);
  });

  it("writes labels that parse cleanly, with the frame's mode in every class id", () => {
    frames.forEach((f, i) => {
      const parsed = parseLabels(formatLabels(f.boxes), `synth_${i}.txt`, catalog);
      expect(parsed.problems).toEqual([]);
      expect(parsed.boxes).toHaveLength(f.boxes.length);
      for (const b of f.boxes) expect(catalog.slot(b.classId).mode.name).toBe(f.mode);
    });
  });

  it("covers all 17 base classes and all 3 weather modes", () => {
    const bases = new Set(frames.flatMap((f) => f.boxes.map((b) => catalog.slot(b.classId).base.name)));
    expect([...bases].sort()).toEqual(catalog.baseClasses.map((c) => c.name).sort());
    expect(new Set(frames.map((f) => f.mode))).toEqual(new Set(MODE_NAMES));
  });

  it("keeps boxes inside the image, matching the pixel boxes", () => {
    for (const f of frames) {
      f.pixelBoxes.forEach((p, k) => {
        expect(p.x0).toBeGreaterThanOrEqual(0);
        expect(p.y0).toBeGreaterThanOrEqual(0);
        expect(p.x1).toBeLessThanOrEqual(SIZE);
        expect(p.y1).toBeLessThanOrEqual(SIZE);
        expect(p.x1).toBeGreaterThan(p.x0);
        expect(p.y1).toBeGreaterThan(p.y0);
        const b = f.boxes[k]!;
        expect(b.w * SIZE).toBeCloseTo(p.x1 - p.x0, 6);
        expect(b.cx * SIZE).toBeCloseTo((p.x0 + p.x1) / 2, 6);
      });
    }
  });

  it("varies object sizes, with many small ones as drone footage has", () => {
    const sides = frames.flatMap((f) => f.pixelBoxes.map((p) => Math.max(p.x1 - p.x0, p.y1 - p.y0)));
    expect(sides.length).toBeGreaterThan(200);
    expect(sides.filter((s) => s < 16).length).toBeGreaterThan(sides.length * 0.05);
    expect(sides.filter((s) => s < 32).length).toBeGreaterThan(sides.length * 0.2);
    expect(sides.filter((s) => s > 96).length).toBeGreaterThan(sides.length * 0.05);
  });

  it("draws something in every box: its pixels differ from the same frame without objects", () => {
    frames.slice(0, 30).forEach((f, i) => {
      const bare = generateSynthImage(SEED, i, SIZE, { objects: false }).rgb;
      expect(bare.length).toBe(f.rgb.length);
      f.pixelBoxes.forEach((p, k) => {
        let changed = 0;
        for (let y = p.y0; y < p.y1; y++) {
          for (let x = p.x0; x < p.x1; x++) {
            const o = (y * SIZE + x) * 3;
            const d =
              Math.abs(f.rgb[o]! - bare[o]!) +
              Math.abs(f.rgb[o + 1]! - bare[o + 1]!) +
              Math.abs(f.rgb[o + 2]! - bare[o + 2]!);
            if (d > 12) changed++;
          }
        }
        const area = (p.x1 - p.x0) * (p.y1 - p.y0);
        // Tyre tracks are two thin ruts across their box; everything else is a filled shape.
        const tracks = catalog.slot(f.boxes[k]!.classId).base.name === "TyreTracks";
        expect(changed / area, `frame ${i} box ${k}`).toBeGreaterThan(tracks ? 0.01 : 0.1);
      });
    });
  });

  it("grades brightness by mode: winter above normal above night", () => {
    const byMode = (m: string) => frames.filter((f) => f.mode === m).map((f) => mean(f.rgb));
    const [norm, wint, night] = [byMode("Norm"), byMode("Wint"), byMode("Night")].map(mean) as [
      number,
      number,
      number,
    ];
    expect(wint).toBeGreaterThan(norm + 40);
    expect(norm).toBeGreaterThan(night + 25);
  });

  it("leaves a few frames empty on purpose", () => {
    // Emptiness is decided before any pixel work, so tiny frames show the share cheaply.
    const n = 400;
    let empty = 0;
    for (let i = 0; i < n; i++) if (generateSynthImage(SEED, i, 64).boxes.length === 0) empty++;
    expect(empty).toBeGreaterThan(n * EMPTY_SHARE * 0.3);
    expect(empty).toBeLessThan(n * EMPTY_SHARE * 3);
  });

  it("rejects bad arguments", () => {
    expect(() => generateSynthImage(1.5, 0, 64)).toThrow(/seed/);
    expect(() => generateSynthImage(1, -1, 64)).toThrow(/index/);
    expect(() => generateSynthImage(1, 0, 16)).toThrow(/size/);
  });
});
