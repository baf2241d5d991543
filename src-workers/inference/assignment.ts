/**
 * Minimum-cost matching of rows (tracks) to columns (detections) with a cost limit, as ByteTrack's
 * lap.lapjv(extend_cost=True, cost_limit): leaving a row or a column unmatched costs limit / 2, so a
 * pair is matched only when that is cheaper than leaving both alone, and pairs above the limit never
 * are. That is a maximum-weight matching with weights limit - cost, solved exactly by the Hungarian
 * method (shortest augmenting paths with potentials) on the n x m matrix of cost - limit (0 where no
 * match is allowed), n the smaller side: O(n^2 m). The tracker splits a frame into groups linked by
 * possible pairs first, so each call here is one small group.
 */
export interface Assignment {
  /** [row, column] pairs, by row. */
  readonly matches: [number, number][];
  readonly unmatchedRows: number[];
  readonly unmatchedCols: number[];
}

export function assign(cost: readonly (readonly number[])[], cols: number, limit: number): Assignment {
  const rows = cost.length;
  const gainOf = (i: number, j: number): number => {
    const v = cost[i]![j]!;
    return Number.isFinite(v) && v <= limit ? v - limit : 0;
  };
  const matches = solve(rows, cols, gainOf);
  matches.sort((a, b) => a[0] - b[0]);
  const rowMatched = new Set(matches.map(([r]) => r));
  const colMatched = new Set(matches.map(([, col]) => col));
  return {
    matches,
    unmatchedRows: range(rows).filter((i) => !rowMatched.has(i)),
    unmatchedCols: range(cols).filter((j) => !colMatched.has(j)),
  };
}

/** The exact maximum-weight matching; returns [row, column] pairs. */
function solve(rows: number, cols: number, gain: (i: number, j: number) => number): [number, number][] {
  // The solver wants no more rows than columns.
  const flip = rows > cols;
  const n = flip ? cols : rows;
  const m = flip ? rows : cols;
  // Gains laid out row-major once: the solver's inner loop reads them n * m times per row.
  const g = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) g[i * m + j] = flip ? gain(j, i) : gain(i, j);
  const colOf = new Int32Array(n).fill(-1);
  if (n > 0) {
    // 1-based, as the classic formulation: p[j] is the row given column j (0: none).
    const u = new Float64Array(n + 1);
    const v = new Float64Array(m + 1);
    const p = new Int32Array(m + 1);
    const way = new Int32Array(m + 1);
    const minv = new Float64Array(m + 1);
    const used = new Uint8Array(m + 1);
    for (let i = 1; i <= n; i++) {
      p[0] = i;
      let j0 = 0;
      minv.fill(Infinity);
      used.fill(0);
      do {
        used[j0] = 1;
        const i0 = p[j0]!;
        const row = (i0 - 1) * m;
        let delta = Infinity;
        let j1 = 0;
        for (let j = 1; j <= m; j++) {
          if (used[j]) continue;
          const cur = g[row + j - 1]! - u[i0]! - v[j]!;
          if (cur < minv[j]!) {
            minv[j] = cur;
            way[j] = j0;
          }
          if (minv[j]! < delta) {
            delta = minv[j]!;
            j1 = j;
          }
        }
        for (let j = 0; j <= m; j++) {
          if (used[j]) {
            u[p[j]!] = u[p[j]!]! + delta;
            v[j] = v[j]! - delta;
          } else minv[j] = minv[j]! - delta;
        }
        j0 = j1;
      } while (p[j0] !== 0);
      do {
        const j1 = way[j0]!;
        p[j0] = p[j1]!;
        j0 = j1;
      } while (j0 !== 0);
    }
    // A row given a column it may not match (gain 0) is in fact left unmatched.
    for (let j = 1; j <= m; j++) if (p[j]! > 0 && g[(p[j]! - 1) * m + j - 1]! < 0) colOf[p[j]! - 1] = j - 1;
  }
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) if (colOf[i]! >= 0) pairs.push(flip ? [colOf[i]!, i] : [i, colOf[i]!]);
  return pairs;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
