/** numpy-shaped helpers (linspace, interp, sum, smooth) so AP numbers agree with Ultralytics to the last bits. */

/** np.linspace(0, 1, n): i * step, with the end point set exactly. */
export function linspace01(n: number): Float64Array {
  const out = new Float64Array(n);
  const step = 1 / (n - 1);
  for (let i = 0; i < n; i++) out[i] = i * step;
  if (n > 1) out[n - 1] = 1;
  return out;
}

/**
 * np.interp for ascending queries `x` over non-decreasing `xp`, written into `out` (from `outAt`,
 * stepping `outStep`, so a reversed query walk can fill a curve backwards). With repeated xp values
 * numpy uses the last one, as here.
 */
export function interpSorted(
  x: ArrayLike<number>,
  xp: ArrayLike<number>,
  fp: ArrayLike<number>,
  left: number,
  right: number,
  out: Float64Array,
  outAt = 0,
  outStep = 1,
): void {
  const n = xp.length;
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    let r: number;
    if (v < xp[0]!) r = left;
    else if (v > xp[n - 1]!) r = right;
    else {
      while (j + 1 < n && xp[j + 1]! <= v) j++;
      if (j === n - 1 || xp[j] === v) r = fp[j]!;
      else r = ((fp[j + 1]! - fp[j]!) / (xp[j + 1]! - xp[j]!)) * (v - xp[j]!) + fp[j]!;
    }
    out[outAt + i * outStep] = r;
  }
}

/** numpy's pairwise summation (add.reduce on float64) over `n` values read as get(i). */
export function pairwiseSum(get: (i: number) => number, n: number, start = 0): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += get(start + i);
    return s;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => get(start + k));
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let k = 0; k < 8; k++) r[k]! += get(start + i + k);
    let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) s += get(start + i);
    return s;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(get, n2, start) + pairwiseSum(get, n - n2, start + n2);
}

/** Mean as numpy: pairwise sum / n; 0 (not NaN) for an empty set, as Ultralytics reports it. */
export function npMean(get: (i: number) => number, n: number): number {
  return n === 0 ? 0 : pairwiseSum(get, n) / n;
}

/** Ultralytics' smooth(): box filter over a fraction f of the points, edges padded with end values. */
export function smooth(y: Float64Array, f: number): Float64Array {
  const n = y.length;
  const nf = Math.floor(Math.round(n * f * 2) / 2) + 1;
  const half = Math.floor(nf / 2);
  const w = 1 / nf;
  const out = new Float64Array(n);
  const at = (k: number): number => y[Math.min(n - 1, Math.max(0, k))]!;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < nf; k++) s += at(i - half + k) * w;
    out[i] = s;
  }
  return out;
}

/** First index of the maximum (np.argmax); 0 when empty. */
export function argmax(y: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < y.length; i++) if (y[i]! > y[best]!) best = i;
  return best;
}

/** np.round: half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
