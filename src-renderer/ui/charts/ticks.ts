/** Axis ticks at "nice" steps (1, 2 or 5 times a power of ten), and number formats that suit them. */

/** The nice step nearest to span / count: 1, 2, 5, 10, 20, ... times a power of ten. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(count, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return nice * mag;
}

export interface Scale {
  /** Domain widened to whole steps. */
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly ticks: readonly number[];
}

/**
 * A domain covering [lo, hi], widened to whole nice steps, with its ticks (about `count` of them).
 * A flat or empty range is widened around its value so the axis still has a span.
 */
export function niceScale(lo: number, hi: number, count = 5): Scale {
  let a = Number.isFinite(lo) ? lo : 0;
  let b = Number.isFinite(hi) ? hi : a + 1;
  if (b < a) [a, b] = [b, a];
  if (b === a) {
    const pad = a === 0 ? 1 : Math.abs(a) * 0.1;
    a -= pad;
    b += pad;
  }
  const step = niceStep(b - a, count);
  const min = Math.floor(a / step + 1e-9) * step;
  const max = Math.ceil(b / step - 1e-9) * step;
  const ticks: number[] = [];
  const n = Math.round((max - min) / step);
  // Multiply rather than accumulate, so 0.1 + 0.2 does not creep into the labels.
  for (let i = 0; i <= n; i++) ticks.push(roundTo(min + i * step, step));
  return { min, max, step, ticks };
}

function decimalsFor(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

function roundTo(v: number, step: number): number {
  const d = decimalsFor(step);
  return Number(v.toFixed(Math.min(d + 1, 20)));
}

/** A tick label with as many decimals as the step needs (0.05 steps: "0.15"; tiny or huge: exponent). */
export function formatTick(v: number, step: number): string {
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-4) return v.toExponential(1);
  return v.toFixed(Math.min(decimalsFor(step), 8));
}

/** A value in a readout: four significant digits, no exponent for ordinary magnitudes. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-4) return v.toExponential(3);
  return Number(v.toPrecision(4)).toString();
}

/**
 * A log10 axis over exponents [lo, hi]: whole decades, ticks at each (every other one past 6 decades).
 * Values are exponents: tick 2 is 100.
 */
export function logScale(lo: number, hi: number): Scale {
  const min = Math.floor(Number.isFinite(lo) ? lo : 0) + 0;
  // "+ 0" turns -0 (ceil of -0.5) into 0.
  let max = Math.ceil(Number.isFinite(hi) ? hi : min + 1) + 0;
  if (max <= min) max = min + 1;
  const step = max - min > 6 ? 2 : 1;
  const ticks: number[] = [];
  for (let t = min; t <= max; t += step) ticks.push(t);
  return { min, max, step, ticks };
}

/** A decade's label on a log axis: "0.01", "100", "1e-6". */
export function formatDecade(exponent: number): string {
  return exponent >= -4 && exponent <= 5 ? String(Number((10 ** exponent).toPrecision(1))) : `1e${exponent}`;
}
