/** DFL, bbox2dist/dist2bbox and the CIoU + DFL box loss on small cases worked out by hand. */
import { describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { bbox2dist, bboxLoss, dflLoss, dist2bbox } from "./box-loss.js";

describe("box loss", () => {
  it("dist2bbox and bbox2dist invert each other; bbox2dist clamps to [0, max - 0.01]", () =>
    torch.tidy(() => {
      const pts = torch.tensor([[4.5, 3.5]]);
      const box = dist2bbox(torch.tensor([[1, 2, 3, 4]]), pts, false);
      expect(box.toNumbers()).toEqual([3.5, 1.5, 7.5, 7.5]);
      expect(dist2bbox(torch.tensor([[1, 2, 3, 4]]), pts).toNumbers()).toEqual([5.5, 4.5, 4, 6]);
      expect(bbox2dist(pts, box, 15).toNumbers()).toEqual([1, 2, 3, 4]);
      const far = bbox2dist(pts, torch.tensor([[-30, 5, 6, 40]]), 15).toNumbers();
      expect(far.map((v) => Math.round(v * 1e4) / 1e4)).toEqual([14.99, 0, 1.5, 14.99]);
    }));

  it("dflLoss: uniform logits cost log(16); a peaked bin at an integer target costs ~0", () =>
    torch.tidy(() => {
      const uniform = dflLoss(torch.zeros([4, 16]), torch.tensor([[0.3, 7, 14.2, 20]]));
      expect(uniform.shape).toEqual([1, 1]);
      expect(uniform.item()).toBeCloseTo(Math.log(16), 5);
      const peaked = torch
        .full([4, 16], -30)
        .indexPut([torch.arange(4), torch.tensor([2, 5, 5, 9], { dtype: "int64" })], 30);
      expect(dflLoss(peaked, torch.tensor([[2, 5, 5, 9]])).item()).toBeLessThan(1e-6);
    }));

  it("dflLoss splits between the two neighbouring bins by distance", () =>
    torch.tidy(() => {
      // All mass on bin 3, target 3.25: 0.75 * CE(bin 3) + 0.25 * CE(bin 4) = 0.25 * 60 (logit gap).
      const logits = torch.full([4, 16], -30).indexPut([null, torch.tensor([3], { dtype: "int64" })], 30);
      expect(dflLoss(logits, torch.full([1, 4], 3.25)).item()).toBeCloseTo(15, 3);
    }));

  it("bboxLoss: a perfect prediction has ~0 CIoU loss; only foreground anchors count", () =>
    torch.tidy(() => {
      const anchors = torch.tensor([
        [2.5, 2.5],
        [6.5, 6.5],
      ]);
      const target = torch.tensor([
        [
          [1, 1, 4, 5],
          [0, 0, 1, 1],
        ],
      ]);
      const predDist = torch.zeros([1, 2, 64]).requiresGrad_();
      const [iou, dfl] = bboxLoss({
        predDist,
        predBboxes: target.clone(),
        anchorPoints: anchors,
        targetBboxes: target,
        targetScores: torch.tensor([
          [
            [0.5, 0],
            [0, 0],
          ],
        ]),
        targetScoresSum: 1,
        fgMask: torch.tensor([[true, false]]),
      });
      expect(iou.item()).toBeCloseTo(0, 5);
      // Uniform logits cost log(16) on each side; weighted by the anchor's target score 0.5.
      expect(dfl.item()).toBeCloseTo(0.5 * Math.log(16), 5);
      dfl.backward();
      const g = predDist.grad!;
      expect(g.select(1, 1).abs().sum().item()).toBe(0);
      expect(g.select(1, 0).abs().sum().item()).toBeGreaterThan(0);
    }));
});
