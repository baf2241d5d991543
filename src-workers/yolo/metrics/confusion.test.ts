import { describe, expect, it } from "vitest";
import { ConfusionMatrix } from "./confusion.js";
import { loadMetricsFixtures } from "./fixture.test-support.js";

const gt = (cls: number, cx: number) => ({ cls, cx, cy: 0.5, w: 0.2, h: 0.2 });
const det = (cls: number, conf: number, cx: number, shift = 0) => ({
  cls,
  conf,
  xyxy: [(cx - 0.1) * 100 + shift, 40, (cx + 0.1) * 100 + shift, 60],
});

describe("ConfusionMatrix", () => {
  it("counts hits, class confusions, misses and background FPs", () => {
    const cm = new ConfusionMatrix(3);
    cm.addImage({
      width: 100,
      height: 100,
      gt: [gt(0, 0.2), gt(1, 0.5), gt(2, 0.8)],
      predictions: [det(0, 0.9, 0.2), det(2, 0.8, 0.5), det(1, 0.7, 0.2, 1), det(1, 0.2, 0.8)],
    });
    expect(cm.toRows()).toEqual([
      [1, 0, 0, 0],
      [0, 0, 0, 1], // the duplicate on GT 0 is background
      [0, 1, 0, 0], // class 2 predicted on a class-1 box
      [0, 0, 1, 0], // GT 2's only prediction is under conf 0.25
    ]);
    expect(cm.tpFp()).toEqual({ tp: [1, 0, 0], fp: [0, 1, 1] });
  });

  it("keeps the best-IoU prediction per GT and needs IoU > 0.45", () => {
    const cm = new ConfusionMatrix(1);
    cm.addImage({
      width: 100,
      height: 100,
      gt: [gt(0, 0.5)],
      predictions: [det(0, 0.9, 0.5, 6), det(0, 0.5, 0.5, 1)],
    });
    cm.addImage({ width: 100, height: 100, gt: [gt(0, 0.5)], predictions: [det(0, 0.9, 0.5, 9)] }); // IoU 1/3
    expect(cm.toRows()).toEqual([
      [1, 2],
      [1, 0],
    ]);
  });

  it("on the fixture: each GT lands in its true column once, columns normalise to 1", () => {
    const { expected, images } = loadMetricsFixtures();
    const cm = new ConfusionMatrix(5);
    images.forEach((im) => cm.addImage(im));
    const rows = cm.toRows();
    for (let c = 0; c < 5; c++) expect(rows.reduce((s, r) => s + r[c]!, 0)).toBe(expected.nt_per_class[c]);
    const kept = images.flatMap((im) => im.predictions.filter((d) => d.conf > 0.25)).length;
    const matched = rows.slice(0, 5).reduce((s, r) => s + r.slice(0, 5).reduce((a, b) => a + b, 0), 0);
    expect(matched + rows.slice(0, 5).reduce((s, r) => s + r[5]!, 0)).toBe(kept);
    const norm = cm.toRows(true);
    for (let c = 0; c < 5; c++) expect(norm.reduce((s, r) => s + r[c]!, 0)).toBeCloseTo(1, 9);
  });
});
