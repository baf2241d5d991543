/**
 * Python's round() (and numpy's): halves go to the even neighbour. Ultralytics' geometry (letterbox
 * padding), model scaling and warmup lengths depend on it.
 */
export function pyRound(x: number): number {
  return pyRoundTo(x, 0);
}

/** Python's round(x, digits). A separate name, so that `values.map(pyRound)` cannot pass indices as digits. */
export function pyRoundTo(x: number, digits: number): number {
  const m = 10 ** digits;
  const v = x * m;
  const r = Math.round(v);
  const isHalf = Math.abs(v - Math.trunc(v)) === 0.5;
  const out = (isHalf && r % 2 !== 0 ? r - 1 : r) / m;
  return out === 0 ? 0 : out; // no -0
}
