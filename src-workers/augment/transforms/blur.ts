/**
 * Box blur as cv2.blur(ksize=(k, k)) with BORDER_REFLECT_101. Running sums both ways, vertical
 * first into one row of column sums, so the cost does not grow with k and no full-size
 * intermediate is written. Image-only: boxes never change.
 */
import type { RawImage } from "../types.js";

/** Reflect-101 index (dcb|abcd|cba), valid while k <= 2n - 1. */
function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  if (i < 0) return -i;
  if (i >= n) return 2 * n - 2 - i;
  return i;
}

export function boxBlur(img: RawImage, k: number): RawImage {
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new RangeError(`blur kernel ${k} must be odd`);
  const { width: W, height: H, data } = img;
  if (k > 2 * Math.min(W, H) - 1) throw new RangeError(`blur kernel ${k} too large for ${W}x${H}`);
  const r = k >> 1;
  const row = W * 3;
  // Sum -> mean, rounded half up as cv2's saturate_cast does for these positive values.
  const lut = new Uint8Array(k * k * 255 + 1);
  for (let i = 0; i < lut.length; i++) lut[i] = Math.floor(i / (k * k) + 0.5);
  const out = new Uint8Array(data.length);
  const col = new Int32Array(row);
  for (let j = -r; j <= r; j++) {
    const o = reflect101(j, H) * row;
    for (let i = 0; i < row; i++) col[i]! += data[o + i]!;
  }
  // Column offsets (x3) of the horizontal window's ends, reflected at the rim.
  const ends = new Int32Array(W + 2 * r + 1);
  for (let x = -r; x <= W + r; x++) ends[x + r] = reflect101(Math.min(x, W + r - 1), W) * 3;
  for (let y = 0; y < H; y++) {
    const base = y * row;
    let s0 = 0, s1 = 0, s2 = 0; // prettier-ignore
    for (let j = 0; j < k; j++) {
      const c = ends[j]!;
      s0 += col[c]!;
      s1 += col[c + 1]!;
      s2 += col[c + 2]!;
    }
    for (let x = 0, o = base; ; x++, o += 3) {
      out[o] = lut[s0]!;
      out[o + 1] = lut[s1]!;
      out[o + 2] = lut[s2]!;
      if (x === W - 1) break;
      const add = ends[x + k]!;
      const sub = ends[x]!;
      s0 += col[add]! - col[sub]!;
      s1 += col[add + 1]! - col[sub + 1]!;
      s2 += col[add + 2]! - col[sub + 2]!;
    }
    if (y === H - 1) break;
    const add = reflect101(y + r + 1, H) * row;
    const sub = reflect101(y - r, H) * row;
    for (let i = 0; i < row; i++) col[i]! += data[add + i]! - data[sub + i]!;
  }
  return { data: out, width: W, height: H };
}
