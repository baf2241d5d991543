import { describe, expect, it } from "vitest";
import { ClassCatalog, classCatalog } from "../../core/classes.js";
import { DetMetrics, type EvalImage } from "./det-metrics.js";
import { loadMetricsFixtures } from "./fixture.test-support.js";
import { GroupedDetMetrics } from "./grouping.js";

// Slots 0-2 Norm, 3-5 Night; slot 6 unused.
const catalog = new ClassCatalog({
  slots: 7,
  modes: [
    { name: "Norm", offset: 0 },
    { name: "Night", offset: 3 },
  ],
  classes: [
    { name: "Truck", colour: "#000000" },
    { name: "Car", colour: "#111111" },
    { name: "Tank", colour: "#222222" },
  ],
});
const gt = (cls: number, cx: number) => ({ cls, cx, cy: 0.5, w: 0.2, h: 0.2 });
const det = (cls: number, conf: number, cx: number) => ({
  cls,
  conf,
  xyxy: [(cx - 0.1) * 100, 40, (cx + 0.1) * 100, 60],
});

describe("GroupedDetMetrics", () => {
  it("base classes forgive a wrong weather mode, the strict reading does not", () => {
    const g = new GroupedDetMetrics(catalog);
    g.add({ width: 100, height: 100, gt: [gt(0, 0.3)], predictions: [det(3, 0.9, 0.3), det(6, 0.8, 0.7)] });
    const r = g.result();
    expect(r.slots.perClass.map((c) => [c.name, c.ap50])).toEqual([["Truck (Norm)", 0]]);
    expect(r.baseClasses.perClass.map((c) => [c.name, c.ap50])).toEqual([["Truck", 0.995]]);
    expect(r.baseClassesStrict.perClass.map((c) => [c.name, c.ap50])).toEqual([["Truck", 0]]);
    expect(r.modes.map((m) => [m.mode, m.slots])).toEqual([
      ["Norm", [0, 1, 2]],
      ["Night", [3, 4, 5]],
    ]);
    expect(r.modes[1]!.metrics.perClass).toEqual([]);
    expect(r.modes[1]!.metrics.map).toBe(0);
  });

  it("a mode's metrics equal an evaluation of only that mode's slots", () => {
    const images: EvalImage[] = [
      {
        width: 100,
        height: 100,
        gt: [gt(0, 0.3), gt(4, 0.7)],
        predictions: [det(0, 0.9, 0.32), det(4, 0.6, 0.75), det(1, 0.5, 0.3)],
      },
      {
        width: 100,
        height: 100,
        gt: [gt(1, 0.5), gt(3, 0.2)],
        predictions: [det(3, 0.7, 0.25), det(1, 0.4, 0.45), det(0, 0.3, 0.5)],
      },
      { width: 100, height: 100, gt: [gt(2, 0.5)], predictions: [det(5, 0.95, 0.5)] },
    ];
    const g = new GroupedDetMetrics(catalog);
    images.forEach((im) => g.add(im));
    const r = g.result();
    for (const mode of r.modes) {
      const keep = new Set(mode.slots);
      const only = new DetMetrics({ nc: 7 });
      for (const im of images)
        only.add({
          ...im,
          gt: im.gt.filter((b) => keep.has(b.cls)),
          predictions: im.predictions.filter((d) => keep.has(d.cls)),
        });
      const want = only.result();
      expect(mode.metrics.resultsDict).toEqual(want.resultsDict);
      expect(mode.metrics.perClass.map((c) => [c.cls, c.ap50_95, c.p, c.r, c.images])).toEqual(
        want.perClass.map((c) => [c.cls, c.ap50_95, c.p, c.r, c.images]),
      );
    }
  });

  it("with one mode in use, every grouping reproduces the Ultralytics fixture", () => {
    const { expected, images } = loadMetricsFixtures();
    const g = new GroupedDetMetrics(classCatalog());
    images.forEach((im) => g.add(im)); // fixture classes 0-4 are the first five Norm slots
    const r = g.result();
    for (const m of [r.slots, r.baseClasses, r.baseClassesStrict, r.modes[0]!.metrics])
      for (const [k, v] of Object.entries(expected.results_dict))
        expect(Math.abs(m.resultsDict[k]! - v)).toBeLessThan(1e-9);
    expect(r.baseClasses.ntPerClass.slice(0, 5)).toEqual(expected.nt_per_class);
    expect(r.modes.slice(1).every((m) => m.metrics.perClass.length === 0 && m.metrics.fitness === 0)).toBe(
      true,
    );
  });
});
