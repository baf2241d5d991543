import { describe, expect, it } from "vitest";
import { loadMetricsFixtures } from "./fixture.test-support.js";
import { boxIou, yoloToXyxy } from "./iou.js";

describe("boxIou", () => {
  it("computes inter / union (+1e-7) as a gt x pred matrix", () => {
    const a = [0, 0, 10, 10, 100, 100, 110, 110];
    const b = [5, 0, 15, 10, 0, 0, 10, 10, 20, 20, 30, 30];
    const m = boxIou(a, b);
    expect(m.length).toBe(6);
    expect(m[0]).toBeCloseTo(50 / 150, 9);
    expect(m[1]).toBeCloseTo(1, 6);
    expect(m[2]).toBe(0);
    expect(Array.from(m.subarray(3))).toEqual([0, 0, 0]);
  });

  it("handles empty sets and touching boxes", () => {
    expect(boxIou([], [0, 0, 1, 1]).length).toBe(0);
    expect(boxIou([0, 0, 1, 1], []).length).toBe(0);
    expect(boxIou([0, 0, 1, 1], [1, 0, 2, 1])[0]).toBe(0);
  });
});

describe("yoloToXyxy", () => {
  it("gives Ultralytics' GT pixel boxes (float32 there) for every fixture image", () => {
    const { expected, images } = loadMetricsFixtures();
    images.forEach((im, i) => {
      const got = Array.from(yoloToXyxy(im.gt, im.width, im.height));
      const want = expected.per_image_tp[i]!.gt_xyxy_pixels.flat();
      expect(got.length).toBe(want.length);
      got.forEach((v, k) => expect(Math.abs(v - want[k]!)).toBeLessThan(1e-4));
    });
  });
});
