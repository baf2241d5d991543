/**
 * Ground texture: value noise (random grids, smoothly interpolated) mixed into the palette at a
 * quarter of the resolution, then scaled up bilinearly. Per-pixel grain comes later, from the
 * weather pass, so full-resolution work here is one interpolation per pixel.
 */
import { mix, type Canvas } from "./canvas.js";
import type { Rng } from "./prng.js";
import type { GroundPalette } from "./weather.js";

/** Low-resolution grid step in px: the texture is computed on a grid this much coarser. */
const STEP = 4;

/** Value noise on a w x h grid in [0, 1): `cells` random values per side, smoothstep-interpolated. */
export function valueNoise(rng: Rng, w: number, h: number, cells: number): Float32Array {
  const g = cells + 2;
  const grid = new Float32Array(g * g);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next();
  const out = new Float32Array(w * h);
  const sx = cells / w;
  const sy = cells / h;
  for (let y = 0; y < h; y++) {
    const gy = y * sy;
    const iy = Math.floor(gy);
    let fy = gy - iy;
    fy = fy * fy * (3 - 2 * fy);
    for (let x = 0; x < w; x++) {
      const gx = x * sx;
      const ix = Math.floor(gx);
      let fx = gx - ix;
      fx = fx * fx * (3 - 2 * fx);
      const p = iy * g + ix;
      const top = grid[p]! + (grid[p + 1]! - grid[p]!) * fx;
      const bot = grid[p + g]! + (grid[p + g + 1]! - grid[p + g]!) * fx;
      out[y * w + x] = top + (bot - top) * fy;
    }
  }
  return out;
}

function smoothstep(e0: number, e1: number, v: number): number {
  const t = Math.min(1, Math.max(0, (v - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

/** Paint the whole canvas with ground of the given palette. */
export function paintGround(canvas: Canvas, palette: GroundPalette, rng: Rng): void {
  const lw = Math.ceil(canvas.width / STEP) + 1;
  const lh = Math.ceil(canvas.height / STEP) + 1;
  const broad = valueNoise(rng, lw, lh, rng.int(2, 4));
  const mid = valueNoise(rng, lw, lh, rng.int(8, 14));
  // Two fine octaves on unrelated grids, so neither grid's cells show as squares.
  const fine = valueNoise(rng, lw, lh, rng.int(30, 50));
  const fine2 = valueNoise(rng, lw, lh, rng.int(61, 83));
  const patches = valueNoise(rng, lw, lh, rng.int(4, 9));
  const threshold = 1 - palette.patchShare;
  const low = new Float32Array(lw * lh * 3);
  for (let i = 0; i < lw * lh; i++) {
    const t = Math.min(1, Math.max(0, broad[i]! * 0.55 + mid[i]! * 0.45));
    let c = mix(palette.low, palette.high, t);
    const p = smoothstep(threshold - 0.05, threshold + 0.08, patches[i]! * 0.8 + mid[i]! * 0.2);
    if (p > 0) c = mix(c, palette.patch, p * 0.85);
    const k = (palette.snow ? 0.95 : 0.9) + (fine[i]! + fine2[i]!) * (palette.snow ? 0.025 : 0.05);
    // Clamp here: a Uint8Array store wraps (256 -> 0), and interpolating clamped values stays in range.
    low[i * 3] = Math.min(255, c[0] * k);
    low[i * 3 + 1] = Math.min(255, c[1] * k);
    low[i * 3 + 2] = Math.min(255, c[2] * k);
  }
  upscale(low, lw, canvas);
}

/** Bilinear scale-up of the STEP-coarse RGB grid onto the canvas: rows first, then along each row. */
function upscale(low: Float32Array, lw: number, canvas: Canvas): void {
  const d = canvas.data;
  const w = canvas.width;
  const inv = 1 / STEP;
  const row = new Float32Array(lw * 3);
  const ix3 = new Int32Array(w);
  const fxs = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const ix = Math.floor(x * inv);
    ix3[x] = ix * 3;
    fxs[x] = (x - ix * STEP) * inv;
  }
  for (let y = 0; y < canvas.height; y++) {
    const iy = Math.floor(y * inv);
    const fy = (y - iy * STEP) * inv;
    const r0 = iy * lw * 3;
    const r1 = r0 + lw * 3;
    for (let k = 0; k < lw * 3; k++) row[k] = low[r0 + k]! + (low[r1 + k]! - low[r0 + k]!) * fy;
    let o = y * w * 3;
    for (let x = 0; x < w; x++, o += 3) {
      const a = ix3[x]!;
      const fx = fxs[x]!;
      d[o] = row[a]! + (row[a + 3]! - row[a]!) * fx;
      d[o + 1] = row[a + 1]! + (row[a + 4]! - row[a + 1]!) * fx;
      d[o + 2] = row[a + 2]! + (row[a + 5]! - row[a + 2]!) * fx;
    }
  }
}
