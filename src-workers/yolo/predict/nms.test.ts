import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { nonMaxSuppression, nonMaxSuppressionWithIndex } from "./nms.js";
import { fixtureJson, fixtureTensor, maxAbsDiff } from "./test-support.js";

interface Setting {
  conf_thres: number;
  iou_thres: number;
  max_det: number;
  candidates: number;
  kept_before_max_det: number;
  n_out: number;
  kept_index: number[];
}
const settings = fixtureJson<{ settings: Record<string, Setting> }>("nms.json").settings;
const pred = torch.keep(fixtureTensor("nms-pred"));
afterAll(() => pred.dispose());

describe("non_max_suppression (Ultralytics parity on nms-pred)", () => {
  const runs: [string, string][] = [
    ["conf0.25_iou0.7", "nms-out-conf0.25_iou0.7"],
    ["conf0.001_iou0.7_maxdet300", "nms-out-conf0.001_iou0.7_maxdet300"],
  ];
  for (const [key, out] of runs) {
    it(`matches ${out} rows and kept indices`, () => {
      const s = settings[key]!;
      const before = torch.liveTensors().count;
      torch.tidy(() => {
        const [r] = nonMaxSuppressionWithIndex(pred, {
          conf: s.conf_thres,
          iou: s.iou_thres,
          maxDet: s.max_det,
        });
        const want = fixtureTensor(out);
        expect(r!.dets.shape).toEqual(want.shape);
        expect(r!.dets.shape[0]).toBe(s.n_out);
        expect(maxAbsDiff(r!.dets.toNumbers(), want.toNumbers())).toBeLessThan(1e-5);
        expect(r!.index.toNumbers()).toEqual(s.kept_index);
      });
      expect(torch.liveTensors().count).toBe(before);
    });
  }

  it("keeps everything NMS keeps when maxDet is large, and caps candidates at maxNms", () => {
    torch.tidy(() => {
      const s = settings["conf0.001_iou0.7_maxdet300"]!;
      const [all] = nonMaxSuppression(pred, { conf: 0.001, iou: 0.7, maxDet: 100000 });
      expect(all!.size(0)).toBe(s.kept_before_max_det);
      const [capped] = nonMaxSuppression(pred, { conf: 0.001, iou: 0.7, maxDet: 100000, maxNms: 50 });
      expect(capped!.size(0)).toBeLessThanOrEqual(50);
      const [top] = nonMaxSuppression(pred, { conf: 0.001, iou: 0.7, maxNms: 1 });
      expect(top!.toNumbers()).toEqual(all!.slice(0, 0, 1).toNumbers());
    });
  });

  it("multiLabel makes a candidate of every class score above conf", () => {
    torch.tidy(() => {
      // Anchor 0 scores 0.9 (class 0) and 0.6 (class 1); anchor 1 overlaps it with 0.8 (class 0).
      const p = torch
        .tensor([
          [
            [10, 10, 4, 4, 0.9, 0.6],
            [10, 10, 4, 4, 0.8, 0.1],
            [50, 50, 4, 4, 0.2, 0.5],
          ],
        ])
        .transpose(1, 2);
      const [single] = nonMaxSuppressionWithIndex(p, { conf: 0.3 });
      expect(single!.dets.toNumbers()).toEqual(
        [8, 8, 12, 12, 0.9, 0, 48, 48, 52, 52, 0.5, 1].map(Math.fround),
      );
      const [multi] = nonMaxSuppressionWithIndex(p, { conf: 0.3, multiLabel: true });
      expect(multi!.dets.toNumbers()).toEqual(
        [8, 8, 12, 12, 0.9, 0, 8, 8, 12, 12, 0.6, 1, 48, 48, 52, 52, 0.5, 1].map(Math.fround),
      );
      expect(multi!.index.toNumbers()).toEqual([0, 0, 2]);
      const [none] = nonMaxSuppressionWithIndex(p, { conf: 0.95, multiLabel: true });
      expect(none!.dets.shape).toEqual([0, 6]);
    });
  });

  it("agnostic NMS suppresses across classes", () => {
    torch.tidy(() => {
      const [aware] = nonMaxSuppression(pred, { conf: 0.25, iou: 0.7 });
      const [agn] = nonMaxSuppression(pred, { conf: 0.25, iou: 0.7, agnostic: true });
      expect(agn!.size(0)).toBeLessThan(aware!.size(0));
      // Two boxes of different classes that overlap fully: one survives only when agnostic.
      const two = torch.tensor([[[50, 50]], [[50, 50]], [[20, 20]], [[20, 20]], [[0.9, 0.1]], [[0.1, 0.8]]]);
      const p = two.reshape(1, 6, 2);
      expect(nonMaxSuppression(p)[0]!.size(0)).toBe(2);
      expect(nonMaxSuppression(p, { agnostic: true })[0]!.toNumbers()).toEqual([
        40, 40, 60, 60, 0.8999999761581421, 0,
      ]);
    });
  });

  it("treats each image of a batch on its own (not image 0's detections for all)", () => {
    torch.tidy(() => {
      const other = pred.clone();
      // Image 1: drop every score of class 0 and move all boxes by +5 px in x.
      other.select(0, 0).select(0, 4).zero_();
      other.select(0, 0).select(0, 0).add_(5);
      const batch = torch.cat([pred, other, pred], 0);
      const [r0, r1, r2] = nonMaxSuppression(batch, { conf: 0.25, iou: 0.7 });
      const [single0] = nonMaxSuppression(pred, { conf: 0.25, iou: 0.7 });
      const [single1] = nonMaxSuppression(other, { conf: 0.25, iou: 0.7 });
      expect(r0!.toNumbers()).toEqual(single0!.toNumbers());
      expect(r2!.toNumbers()).toEqual(single0!.toNumbers());
      expect(r1!.toNumbers()).toEqual(single1!.toNumbers());
      expect(r1!.shape).not.toEqual(r0!.shape);
      const classes1 = r1!.select(1, 5).toNumbers();
      expect(classes1).not.toContain(0);
    });
  });

  it("returns an empty (0, 6) result when nothing passes conf", () => {
    torch.tidy(() => {
      const [r] = nonMaxSuppression(pred, { conf: 1 });
      expect(r!.shape).toEqual([0, 6]);
    });
  });
});
