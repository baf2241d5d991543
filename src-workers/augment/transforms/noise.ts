/**
 * Additive Gaussian noise, as GaussNoise(var_limit, per_channel=True), in place. Drawing 2.8 M
 * normals per 1280x720 frame costs more than the rest of the pipeline, so each row reads a random
 * window of a fixed table of standard normals: rows differ, and no pattern repeats on a grid.
 */
import { Rng } from "../../data/synth/prng.js";

const TABLE_BITS = 17;
const MASK = (1 << TABLE_BITS) - 1;
let table: Float32Array | undefined;

/** Standard normals by Box-Muller from a fixed stream: the same table in every worker. */
function normals(): Float32Array {
  if (table) return table;
  const rng = new Rng(0x6e6f6973);
  const t = new Float32Array(1 << TABLE_BITS);
  for (let i = 0; i < t.length; i += 2) {
    const u = 1 - rng.next();
    const v = rng.next();
    const m = Math.sqrt(-2 * Math.log(u));
    t[i] = m * Math.cos(2 * Math.PI * v);
    t[i + 1] = m * Math.sin(2 * Math.PI * v);
  }
  return (table = t);
}

export interface NoiseParams {
  /** Standard deviation in 0-255 levels (sqrt of var_limit's draw). */
  readonly sigma: number;
  /** Picks the table windows: same seed, same noise. */
  readonly seed: number;
}

export function gaussNoiseInPlace(data: Uint8Array, rowBytes: number, p: NoiseParams): void {
  const t = normals();
  // Scaled and rounded once per call; the clamped view saturates the integer sums on store.
  const scaled = new Int16Array(t.length);
  for (let i = 0; i < t.length; i++) scaled[i] = Math.round(t[i]! * p.sigma);
  const out = new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
  const rng = new Rng(p.seed);
  for (let start = 0; start < data.length; start += rowBytes) {
    const j = rng.u32() & MASK;
    const end = Math.min(data.length, start + rowBytes);
    const n = end - start;
    // Windows that wrap the table end are split rather than masked per element.
    const first = Math.min(n, t.length - j);
    for (let i = 0; i < first; i++) out[start + i] = data[start + i]! + scaled[j + i]!;
    for (let i = first; i < n; i++) out[start + i] = data[start + i]! + scaled[i - first]!;
  }
}
