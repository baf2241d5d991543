/**
 * The three weather modes: the ground each one starts from, and the finishing pass that gives the
 * whole frame its look (winter washed out and pale, night dark, blue and noisy) plus sensor grain.
 */
import { clamp255, type Canvas, type Rgb } from "./canvas.js";
import { Rng } from "./prng.js";

/** Same names and order as config/classes.yaml's modes. */
export const MODE_NAMES = ["Norm", "Wint", "Night"] as const;
export type ModeName = (typeof MODE_NAMES)[number];

export interface GroundPalette {
  /** Dark and light ends of the ground's broad variation. */
  readonly low: Rgb;
  readonly high: Rgb;
  /** A second surface showing through in patches (soil in grass, earth through snow). */
  readonly patch: Rgb;
  /** Share of the ground the patches cover, 0-1. */
  readonly patchShare: number;
  readonly snow: boolean;
}

const SUMMER: readonly GroundPalette[] = [
  { low: [58, 82, 38], high: [112, 132, 64], patch: [118, 96, 66], patchShare: 0.25, snow: false }, // grass, soil
  { low: [112, 108, 64], high: [168, 158, 100], patch: [80, 102, 50], patchShare: 0.3, snow: false }, // dry meadow
  { low: [92, 74, 54], high: [146, 124, 92], patch: [72, 92, 44], patchShare: 0.35, snow: false }, // ploughed soil
  { low: [160, 142, 104], high: [210, 194, 152], patch: [120, 120, 80], patchShare: 0.2, snow: false }, // sand
];
const WINTER: readonly GroundPalette[] = [
  // Earth showing through thin snow: muted, so it reads as ground, not as a dark object.
  { low: [200, 205, 214], high: [246, 248, 252], patch: [178, 174, 166], patchShare: 0.12, snow: true },
  { low: [188, 194, 204], high: [236, 240, 246], patch: [170, 174, 160], patchShare: 0.16, snow: true },
];

export function groundPalette(mode: ModeName, rng: Rng): GroundPalette {
  return rng.pick(mode === "Wint" ? WINTER : SUMMER);
}

const NOISE_BITS = 18;
const NOISE_MASK = (1 << NOISE_BITS) - 1;
let noiseTable: Float32Array | undefined;

/** A fixed table of unit-deviation noise, read at random row offsets: far cheaper than a PRNG per pixel. */
function noise(): Float32Array {
  if (noiseTable) return noiseTable;
  const rng = new Rng(0x5eed);
  const t = new Float32Array(1 << NOISE_BITS);
  for (let i = 0; i < t.length; i++) t[i] = rng.gauss(1);
  return (noiseTable = t);
}

/** The last pass over every pixel: the mode's colour grade and sensor noise. */
export function finishWeather(canvas: Canvas, mode: ModeName, rng: Rng): void {
  const t = noise();
  const d = canvas.data;
  const rowBytes = canvas.width * 3;
  for (let y = 0; y < canvas.height; y++) {
    const off = rng.u32();
    const start = y * rowBytes;
    const end = start + rowBytes;
    if (mode === "Night") {
      // Low light: little colour left, a blue cast, and strong per-channel sensor noise.
      for (let i = start, k = off; i < end; i += 3, k += 3) {
        const l = 0.3 * d[i]! + 0.59 * d[i + 1]! + 0.11 * d[i + 2]!;
        d[i] = clamp255(6 + 0.2 * l + 0.04 * d[i]! + 9 * t[k & NOISE_MASK]!);
        d[i + 1] = clamp255(10 + 0.27 * l + 0.04 * d[i + 1]! + 9 * t[(k + 1) & NOISE_MASK]!);
        d[i + 2] = clamp255(20 + 0.38 * l + 0.04 * d[i + 2]! + 10 * t[(k + 2) & NOISE_MASK]!);
      }
    } else if (mode === "Wint") {
      // Snow glare: colours pulled towards grey, contrast lifted towards white.
      for (let i = start, k = off; i < end; i += 3, k++) {
        const l = 0.3 * d[i]! + 0.59 * d[i + 1]! + 0.11 * d[i + 2]!;
        const n = 3 * t[k & NOISE_MASK]!;
        d[i] = clamp255(36 + 0.84 * (l + (d[i]! - l) * 0.4) + n);
        d[i + 1] = clamp255(38 + 0.84 * (l + (d[i + 1]! - l) * 0.4) + n);
        d[i + 2] = clamp255(44 + 0.84 * (l + (d[i + 2]! - l) * 0.4) + n);
      }
    } else {
      for (let i = start, k = off; i < end; i += 3, k++) {
        const n = 5 * t[k & NOISE_MASK]!;
        d[i] = clamp255(d[i]! + n);
        d[i + 1] = clamp255(d[i + 1]! + n);
        d[i + 2] = clamp255(d[i + 2]! + n);
      }
    }
  }
}
