/** Tracking across sampled frames: stable ids for moving objects, low-score rescue, birth, confirmation, death. */
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../core/random.js";
import { assign } from "./assignment.js";
import { Tracker, type TrackerInput } from "./tracker.js";

const box = (x: number, y: number, conf = 0.9, cls = 0, w = 20, h = 20): TrackerInput => ({
  xyxy: [x, y, x + w, y + h],
  conf,
  cls,
});

describe("assign", () => {
  it("finds the cheapest matching and leaves pairs above the limit unmatched", () => {
    // Greedy would take (0,0) = 0.1 and leave row 1 with 0.9 (too dear); the optimum is (0,1) + (1,0).
    const r = assign(
      [
        [0.1, 0.3],
        [0.35, 0.9],
      ],
      2,
      0.8,
    );
    expect(r.matches).toEqual([
      [0, 1],
      [1, 0],
    ]);
    const none = assign([[0.95, 0.9]], 2, 0.8);
    expect(none.matches).toEqual([]);
    expect(none.unmatchedRows).toEqual([0]);
    expect(none.unmatchedCols).toEqual([0, 1]);
    expect(assign([], 3, 0.8).unmatchedCols).toEqual([0, 1, 2]);
  });

  it("is optimal: equals exhaustive search on random matrices, wide and tall", () => {
    const rand = mulberry32(3);
    const total = (cost: number[][], pairs: [number, number][], limit: number): number =>
      pairs.reduce((s, [r, c]) => s + cost[r]![c]! - limit, 0);
    // Best sum of (cost - limit) over matchings of allowed pairs, by trying every choice per row.
    const best = (cost: number[][], limit: number, row = 0, taken = new Set<number>()): number => {
      if (row === cost.length) return 0;
      let b = best(cost, limit, row + 1, taken);
      cost[row]!.forEach((v, c) => {
        if (taken.has(c) || !(v <= limit)) return;
        taken.add(c);
        b = Math.min(b, v - limit + best(cost, limit, row + 1, taken));
        taken.delete(c);
      });
      return b;
    };
    for (let trial = 0; trial < 60; trial++) {
      const rows = 1 + Math.floor(rand() * 5);
      const cols = 1 + Math.floor(rand() * 5);
      const cost = Array.from({ length: rows }, () =>
        Array.from({ length: cols }, () => (rand() < 0.2 ? Infinity : rand())),
      );
      const r = assign(cost, cols, 0.8);
      expect(total(cost, r.matches, 0.8)).toBeCloseTo(best(cost, 0.8), 9);
      expect(r.unmatchedRows.length + r.matches.length).toBe(rows);
      expect(r.unmatchedCols.length + r.matches.length).toBe(cols);
    }
    // Sparse matrices: several separate groups of allowed pairs, solved one by one.
    for (let trial = 0; trial < 40; trial++) {
      const rows = 4 + Math.floor(rand() * 5);
      const cols = 4 + Math.floor(rand() * 5);
      const cost = Array.from({ length: rows }, () =>
        Array.from({ length: cols }, () => (rand() < 0.75 ? Infinity : rand())),
      );
      const r = assign(cost, cols, 0.8);
      expect(total(cost, r.matches, 0.8)).toBeCloseTo(best(cost, 0.8), 9);
      expect(new Set(r.matches.map(([, c]) => c)).size).toBe(r.matches.length);
    }
  });
});

describe("Tracker", () => {
  it("keeps one id per object while objects move, and ids differ between objects", () => {
    const t = new Tracker();
    const seen: (number | null)[][] = [];
    for (let k = 0; k < 12; k++)
      seen.push(t.update([box(10 + 8 * k, 50), box(200 - 6 * k, 120 + 4 * k, 0.8, 1)]));
    expect(seen[0]).toEqual([1, 2]);
    for (const ids of seen) expect(ids).toEqual([1, 2]);
  });

  it("follows an object faster than its own width per frame once its velocity is known", () => {
    const t = new Tracker();
    // 14 px per frame for a 20 px box: IoU with the last box is 0.18, below the 0.2 needed, but the
    // predicted box lands on it.
    t.update([box(0, 0)]);
    expect(t.update([box(6, 0)])).toEqual([1]);
    for (let k = 2; k < 8; k++) expect(t.update([box(6 + 14 * (k - 1), 0)])).toEqual([1]);
  });

  it("gives a new object an id only when it is seen a second time", () => {
    const t = new Tracker();
    t.update([box(0, 0)]);
    expect(t.update([box(0, 0), box(100, 100)])).toEqual([1, null]);
    expect(t.update([box(0, 0), box(101, 100)])).toEqual([1, 2]);
    // A one-frame false positive never gets an id, and it is forgotten.
    expect(t.update([box(0, 0), box(300, 10)])).toEqual([1, null]);
    expect(t.update([box(0, 0)])).toEqual([1]);
  });

  it("rescues a confirmed track with a low-score detection, but starts none from one", () => {
    const t = new Tracker({ high: 0.5, low: 0.1 });
    t.update([box(0, 0, 0.9)]);
    expect(t.update([box(1, 0, 0.2)])).toEqual([1]);
    expect(t.update([box(2, 0, 0.9), box(150, 150, 0.3)])).toEqual([1, null]);
    expect(t.update([box(3, 0, 0.9), box(150, 150, 0.3)])).toEqual([1, null]);
  });

  it("keeps a lost track for `buffer` frames, then retires its id", () => {
    const t = new Tracker({ buffer: 2 });
    t.update([box(0, 0)]);
    t.update([]);
    t.update([]);
    expect(t.update([box(0, 0)])).toEqual([1]); // back within the buffer: same id
    t.update([]);
    t.update([]);
    t.update([]);
    expect(t.size).toBe(0);
    t.update([box(0, 0)]);
    expect(t.update([box(0, 0)])).toEqual([2]);
  });

  it("matches across classes by default (a wavering class keeps its id), within a class when asked", () => {
    const a = new Tracker();
    a.update([box(0, 0, 0.9, 0)]);
    expect(a.update([box(1, 0, 0.9, 3)])).toEqual([1]);
    const b = new Tracker({ classAware: true });
    b.update([box(0, 0, 0.9, 0)]);
    expect(b.update([box(1, 0, 0.9, 3)])).toEqual([null]);
  });
});
