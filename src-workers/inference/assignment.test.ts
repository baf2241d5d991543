/** The sparse solver against a dense Hungarian reference on problems too big for exhaustive search. */
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../core/random.js";
import { assign } from "./assignment.js";

/**
 * Reference: the classic dense Hungarian method (shortest augmenting paths with potentials) on the
 * n x m matrix of min(cost - limit, 0), n <= m; a row given a column at gain 0 is unmatched.
 */
function denseReference(cost: number[][], cols: number, limit: number): [number, number][] {
  const rows = cost.length;
  const flip = rows > cols;
  const n = flip ? cols : rows;
  const m = flip ? rows : cols;
  const g = (i: number, j: number): number => {
    const v = flip ? cost[j]![i]! : cost[i]![j]!;
    return v < limit ? v - limit : 0;
  };
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = g(i0 - 1, j - 1) - u[i0]! - v[j]!;
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
  const pairs: [number, number][] = [];
  for (let j = 1; j <= m; j++)
    if (p[j]! > 0 && g(p[j]! - 1, j - 1) < 0) pairs.push(flip ? [j - 1, p[j]! - 1] : [p[j]! - 1, j - 1]);
  return pairs.sort((a, b) => a[0] - b[0]);
}

describe("assign (sparse) against the dense Hungarian method", () => {
  it("finds the same matching on crowded random problems, wide, tall and square", () => {
    const rand = mulberry32(11);
    let matched = 0;
    for (let trial = 0; trial < 60; trial++) {
      const rows = 1 + Math.floor(rand() * 60);
      const cols = 1 + Math.floor(rand() * 60);
      const density = 0.05 + 0.6 * rand();
      const cost = Array.from({ length: rows }, () =>
        Array.from({ length: cols }, () => (rand() < density ? rand() : Infinity)),
      );
      const r = assign(cost, cols, 0.8);
      // Random costs: the optimum is unique, so both must give the very same pairs.
      expect(r.matches).toEqual(denseReference(cost, cols, 0.8));
      expect(r.unmatchedRows.length + r.matches.length).toBe(rows);
      expect(r.unmatchedCols.length + r.matches.length).toBe(cols);
      matched += r.matches.length;
    }
    expect(matched).toBeGreaterThan(500);
  });
});
