import { describe, expect, it } from "vitest";
import { DetMetrics } from "./det-metrics.js";
import { loadMetricsFixtures } from "./fixture.test-support.js";

const { input, expected, images } = loadMetricsFixtures();
// Bit-identical today; 1e-9 leaves room for summation-order noise only.
const TOL = 1e-9;

function run(): { m: DetMetrics; tps: Uint8Array[] } {
  const m = new DetMetrics({ nc: input.nc });
  const tps = images.map((im) => m.add(im));
  return { m, tps };
}

describe("DetMetrics (Ultralytics 8.3.253 parity on metrics-input.json)", () => {
  const { m, tps } = run();
  const res = m.result();

  it("reproduces every per-image TP matrix exactly", () => {
    expected.per_image_tp.forEach((want, i) => {
      const got = tps[i]!;
      expect(got.length).toBe(want.tp.length * 10);
      expect(Array.from(got)).toEqual(want.tp.flat());
    });
  });

  it("matches the mean metrics and results_dict", () => {
    const e = expected.mean;
    for (const [got, want] of [
      [res.mp, e.mp],
      [res.mr, e.mr],
      [res.map50, e.map50],
      [res.map75, e.map75],
      [res.map, e.map],
      [res.fitness, e.fitness],
    ] as const)
      expect(Math.abs(got - want)).toBeLessThan(TOL);
    expect(Object.keys(res.resultsDict)).toEqual(Object.keys(expected.results_dict));
    for (const [k, v] of Object.entries(expected.results_dict))
      expect(Math.abs(res.resultsDict[k]! - v)).toBeLessThan(TOL);
  });

  it("matches every per-class value and the GT counts", () => {
    expect(res.perClass.map((c) => c.cls)).toEqual(expected.per_class.map((c) => c.cls));
    res.perClass.forEach((c, i) => {
      const e = expected.per_class[i]!;
      expect(c.instances).toBe(e.n_gt);
      const pairs: [number, number][] = [
        [c.p, e.P],
        [c.r, e.R],
        [c.f1, e.F1],
        [c.ap50, e.AP50],
        [c.ap50_95, e["AP50-95"]],
        ...c.apPerIou.map((v, j): [number, number] => [v, e.AP_per_iou[j]!]),
      ];
      for (const [got, want] of pairs) expect(Math.abs(got - want)).toBeLessThan(TOL);
    });
    expect(res.ntPerClass).toEqual(expected.nt_per_class);
    expect(res.ntPerImage).toEqual(expected.nt_per_image);
    expect(res.imagesSeen).toBe(30);
    expect(res.predictions).toBe(191);
  });
});

const box = (cls: number, cx: number, cy: number, w = 0.2, h = 0.2) => ({ cls, cx, cy, w, h });
const det = (cls: number, conf: number, x1: number, y1: number, x2: number, y2: number) => ({
  cls,
  conf,
  xyxy: [x1, y1, x2, y2],
});
const allFinite = (r: ReturnType<DetMetrics["result"]>): boolean =>
  [
    r.mp,
    r.mr,
    r.map50,
    r.map75,
    r.map,
    r.fitness,
    ...r.maps,
    ...r.perClass.flatMap((c) => [c.p, c.r, c.f1, c.ap50_95]),
  ].every(Number.isFinite);

describe("DetMetrics edge cases", () => {
  it("no predictions at all: every metric 0, no NaN", () => {
    const m = new DetMetrics({ nc: 3 });
    m.add({ width: 100, height: 100, gt: [box(0, 0.5, 0.5), box(2, 0.2, 0.2)], predictions: [] });
    const r = m.result();
    expect(allFinite(r)).toBe(true);
    expect([r.mp, r.mr, r.map50, r.map, r.fitness]).toEqual([0, 0, 0, 0, 0]);
    expect(r.perClass.map((c) => c.cls)).toEqual([0, 2]);
    expect(r.ntPerClass).toEqual([1, 0, 1]);
  });

  it("no ground truth at all: empty per-class list, zeros", () => {
    const m = new DetMetrics({ nc: 2 });
    const tp = m.add({ width: 100, height: 100, gt: [], predictions: [det(1, 0.9, 0, 0, 10, 10)] });
    expect(Array.from(tp)).toEqual(new Array(10).fill(0));
    const r = m.result();
    expect(r.perClass).toEqual([]);
    expect(allFinite(r)).toBe(true);
    expect(r.resultsDict["metrics/mAP50-95(B)"]).toBe(0);
  });

  it("a class with GT but no predictions counts as zero in the means", () => {
    const m = new DetMetrics({ nc: 2 });
    m.add({
      width: 100,
      height: 100,
      gt: [box(0, 0.5, 0.5), box(1, 0.2, 0.2)],
      predictions: [det(0, 0.9, 40, 40, 60, 60)],
    });
    m.add({ width: 100, height: 100, gt: [], predictions: [] });
    const r = m.result();
    expect(r.perClass[0]!.ap50).toBeCloseTo(0.995, 12);
    expect(r.perClass[1]!).toMatchObject({ p: 0, r: 0, ap50: 0, ap50_95: 0 });
    expect(r.map50).toBeCloseTo(0.995 / 2, 12);
    expect(r.ntPerImage).toEqual([1, 1]);
    expect(r.imagesSeen).toBe(2);
  });

  it("rejects class ids outside 0..nc-1", () => {
    const m = new DetMetrics({ nc: 2 });
    expect(() => m.add({ width: 1, height: 1, gt: [box(2, 0.5, 0.5)], predictions: [] })).toThrow(RangeError);
  });

  it("handles 100k predictions quickly", () => {
    const m = new DetMetrics({ nc: 80 });
    let seed = 1;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) {
      const gt = Array.from({ length: 20 }, () =>
        box(Math.floor(rnd() * 80), rnd(), rnd(), 0.05 + rnd() * 0.2, 0.05 + rnd() * 0.2),
      );
      const predictions = Array.from({ length: 100 }, (_, k) => {
        const g = gt[k % 20]!;
        const j = () => (rnd() - 0.5) * 20;
        const x1 = (g.cx - g.w / 2) * 640 + j();
        const y1 = (g.cy - g.h / 2) * 640 + j();
        return det(
          k < 40 ? g.cls : Math.floor(rnd() * 80),
          rnd(),
          x1,
          y1,
          x1 + g.w * 640 + j(),
          y1 + g.h * 640 + j(),
        );
      }).sort((a, b) => b.conf - a.conf);
      m.add({ width: 640, height: 640, gt, predictions });
    }
    const r = m.result();
    const ms = performance.now() - t0;
    expect(r.predictions).toBe(100_000);
    expect(allFinite(r)).toBe(true);
    expect(r.map50).toBeGreaterThan(0);
    expect(ms).toBeLessThan(5000);
  });
});
