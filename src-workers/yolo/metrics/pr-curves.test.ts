import { describe, expect, it } from "vitest";
import { DetMetrics } from "./det-metrics.js";
import { loadMetricsFixtures } from "./fixture.test-support.js";
import { prCurves } from "./pr-curves.js";

const { input, expected, images } = loadMetricsFixtures();
const m = new DetMetrics({ nc: input.nc });
images.forEach((im) => m.add(im));
const res = m.result();

describe("prCurves", () => {
  it("gives 1000-point curves per class that agree with the metrics", () => {
    const c = prCurves(res.ap, { names: ["a", "b", "c", "d", "e"] });
    expect(c.recall).toHaveLength(1000);
    expect(c.classes.map((k) => k.name)).toEqual(["a", "b", "c", "d", "e"]);
    c.classes.forEach((k, i) => {
      expect(k.precision).toHaveLength(1000);
      expect(k.ap50).toBeCloseTo(expected.per_class[i]!.AP50, 12);
      // P, R and F1 are read off these curves at the max-F1 confidence.
      expect(k.pConf[res.ap.bestIndex]).toBe(res.perClass[i]!.p);
      expect(k.f1Conf[res.ap.bestIndex]).toBe(res.perClass[i]!.f1);
      // The PR curve is the precision envelope: never rising with recall.
      for (let t = 1; t < 1000; t++) expect(k.precision[t]!).toBeLessThanOrEqual(k.precision[t - 1]!);
    });
    expect(c.all.map50).toBeCloseTo(res.map50, 12);
    expect(c.all.bestF1).toBeGreaterThan(0);
  });

  it("downsamples evenly, keeping both ends", () => {
    const c = prCurves(res.ap, { points: 101 });
    expect(c.recall).toHaveLength(101);
    expect(c.recall[0]).toBe(0);
    expect(c.recall[100]).toBe(1);
    expect(c.classes[0]!.pConf).toHaveLength(101);
  });

  it("is empty but finite without ground truth", () => {
    const c = prCurves(new DetMetrics({ nc: 2 }).result().ap);
    expect(c.classes).toEqual([]);
    expect(c.all.f1Conf.every((v) => v === 0)).toBe(true);
  });
});
