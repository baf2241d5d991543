/**
 * Resizing 8-bit interleaved pixels as OpenCV's cv2.resize(INTER_LINEAR) does, since the model was
 * trained and exported on OpenCV input: half-pixel centres, no antialiasing, 11-bit fixed-point
 * weights, and the exact-2x downscale taken by the area path (as OpenCV does), so we match it
 * to about one grey level instead of differing by a whole resampling filter.
 */
const COEF = 2048;

/** OpenCV's cvRound on a float32 value: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

interface Taps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w0: Int32Array;
  readonly w1: Int32Array;
}

function taps(src: number, dst: number, clampWeight: boolean): Taps {
  const scale = src / dst;
  const t = {
    i0: new Int32Array(dst),
    i1: new Int32Array(dst),
    w0: new Int32Array(dst),
    w1: new Int32Array(dst),
  };
  for (let d = 0; d < dst; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    // Columns clamp the weight at the edges; rows clamp the row index (same result).
    if (clampWeight && s < 0) {
      f = 0;
      s = 0;
    }
    if (clampWeight && s >= src - 1) {
      f = 0;
      s = src - 1;
    }
    t.i0[d] = Math.min(Math.max(s, 0), src - 1);
    t.i1[d] = Math.min(Math.max(s + 1, 0), src - 1);
    t.w0[d] = rint(Math.fround(Math.fround(1 - f) * COEF));
    t.w1[d] = rint(Math.fround(f * COEF));
  }
  return t;
}

export function resizeLinear(
  src: Uint8Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  channels: number,
): Uint8Array {
  if (sw === dw && sh === dh) return src;
  if (sw === 2 * dw && sh === 2 * dh) return halve(src, sw, dw, dh, channels);
  const out = new Uint8Array(dw * dh * channels);
  const xs = taps(sw, dw, true);
  const ys = taps(sh, dh, false);
  const rowLen = dw * channels;
  // Horizontal pass per source row, cached: consecutive output rows share source rows.
  const rows = new Map<number, Int32Array>();
  const hrow = (y: number): Int32Array => {
    let r = rows.get(y);
    if (r) return r;
    r = new Int32Array(rowLen);
    const base = y * sw * channels;
    for (let x = 0; x < dw; x++) {
      const a = base + xs.i0[x]! * channels;
      const b = base + xs.i1[x]! * channels;
      const w0 = xs.w0[x]!;
      const w1 = xs.w1[x]!;
      for (let c = 0; c < channels; c++) r[x * channels + c] = src[a + c]! * w0 + src[b + c]! * w1;
    }
    if (rows.size > 4) rows.clear();
    rows.set(y, r);
    return r;
  };
  for (let y = 0; y < dh; y++) {
    const r0 = hrow(ys.i0[y]!);
    const r1 = hrow(ys.i1[y]!);
    const b0 = ys.w0[y]!;
    const b1 = ys.w1[y]!;
    const o = y * rowLen;
    for (let i = 0; i < rowLen; i++) {
      // OpenCV's vectorised vertical step: 16-bit multiply-high of the pre-shifted sums.
      const v = (((r0[i]! >> 4) * b0) >> 16) + (((r1[i]! >> 4) * b1) >> 16);
      out[o + i] = Math.min(255, Math.max(0, (v + 2) >> 2));
    }
  }
  return out;
}

/** cv2's INTER_AREA fast path for exactly half size: the rounded mean of each 2x2 block. */
function halve(src: Uint8Array, sw: number, dw: number, dh: number, channels: number): Uint8Array {
  const out = new Uint8Array(dw * dh * channels);
  const step = sw * channels;
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const s = 2 * y * step + 2 * x * channels;
      const o = (y * dw + x) * channels;
      for (let c = 0; c < channels; c++) {
        const i = s + c;
        out[o + c] = (src[i]! + src[i + channels]! + src[i + step]! + src[i + step + channels]! + 2) >> 2;
      }
    }
  }
  return out;
}
