/**
 * TaskAlignedAssigner against the call recorded inside Ultralytics' v8DetectionLoss
 * (tests/data/yolo11 README section 4): integer/bool outputs exact, floats to 1e-4 relative.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { fixtureTensor } from "../predict/test-support.js";
import {
  TaskAlignedAssigner,
  selectCandidatesInGts,
  selectHighestOverlaps,
  selectTopkCandidates,
  type Assignment,
} from "./assigner.js";

const INPUTS = ["pd_scores", "pd_bboxes", "anc_points", "gt_labels", "gt_bboxes", "mask_gt"] as const;

/** Largest |ours - theirs| beyond rtol * |theirs|, so <= 0 means within tolerance. */
function excess(ours: Tensor, theirs: Tensor, rtol: number, atol = 0): number {
  return torch.tidy(() => ours.sub(theirs).abs().sub(theirs.abs().mul(rtol)).sub(atol).max().item());
}

describe("TaskAlignedAssigner parity with Ultralytics", () => {
  let out: Assignment;
  let baseline: number;
  beforeAll(() => {
    baseline = torch.liveTensors().count;
    out = torch.tidy(() => {
      const ins = INPUTS.map((n) => fixtureTensor(`assigner-in-${n}`)) as [
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
      ];
      const assigner = new TaskAlignedAssigner({ topk: 10, numClasses: 80, alpha: 0.5, beta: 6 });
      return assigner.forward(...ins);
    });
    for (const t of Object.values(out)) torch.keep(t);
  });
  afterAll(() => {
    torch.dispose(out);
    expect(torch.liveTensors().count).toBe(baseline);
  });

  it("fg_mask and target_gt_idx exactly", () =>
    torch.tidy(() => {
      expect(out.fgMask.dtype).toBe("bool");
      expect(out.fgMask.to("uint8").toNumbers()).toEqual(fixtureTensor("assigner-out-fg_mask").toNumbers());
      expect(out.fgMask.sum().item()).toBe(63);
      expect(out.targetGtIdx.toNumbers()).toEqual(fixtureTensor("assigner-out-target_gt_idx").toNumbers());
    }));

  it("target_labels exactly", () =>
    torch.tidy(() => {
      expect(out.targetLabels.dtype).toBe("int64");
      expect(out.targetLabels.toNumbers()).toEqual(fixtureTensor("assigner-out-target_labels").toNumbers());
    }));

  it("target_bboxes and target_scores to 1e-4 relative", () =>
    torch.tidy(() => {
      const boxes = fixtureTensor("assigner-out-target_bboxes");
      const scores = fixtureTensor("assigner-out-target_scores");
      expect(excess(out.targetBboxes, boxes, 1e-4)).toBeLessThanOrEqual(0);
      expect(excess(out.targetScores, scores, 1e-4, 1e-7)).toBeLessThanOrEqual(0);
      expect(out.targetScores.sum().item()).toBeCloseTo(23.588993, 4);
    }));
});

describe("assigner stages", () => {
  it("selectCandidatesInGts: strictly inside only", () =>
    torch.tidy(() => {
      const pts = torch.tensor([
        [5, 5],
        [10, 5],
        [0, 0],
        [9.5, 9.5],
      ]);
      const gts = torch.tensor([[[0, 0, 10, 10]]]);
      expect(selectCandidatesInGts(pts, gts).toNumbers()).toEqual([1, 0, 0, 1]);
    }));

  it("selectTopkCandidates: top k of real gts, none for padding", () =>
    torch.tidy(() => {
      const metrics = torch.tensor([
        [
          [0.1, 0.5, 0.3, 0.0],
          [0, 0, 0, 0],
        ],
      ]);
      const maskGt = torch.tensor([[[1], [0]]]);
      expect(selectTopkCandidates(metrics, 2, maskGt).toArray()).toEqual([
        [
          [0, 1, 1, 0],
          [0, 0, 0, 0],
        ],
      ]);
    }));

  it("selectHighestOverlaps: a shared anchor goes to the gt of higher IoU", () =>
    torch.tidy(() => {
      const maskPos = torch.tensor([
        [
          [1, 1, 0],
          [0, 1, 0],
        ],
      ]);
      const overlaps = torch.tensor([
        [
          [0.6, 0.2, 0],
          [0, 0.7, 0],
        ],
      ]);
      const r = selectHighestOverlaps(maskPos, overlaps);
      expect(r.targetGtIdx.toNumbers()).toEqual([0, 1, 0]);
      expect(r.fgMask.toNumbers()).toEqual([1, 1, 0]);
      expect(r.maskPos.toArray()).toEqual([
        [
          [1, 0, 0],
          [0, 1, 0],
        ],
      ]);
    }));

  it("no gts: every anchor is background", () =>
    torch.tidy(() => {
      const a = new TaskAlignedAssigner({ numClasses: 3, topk: 2 });
      const r = a.forward(
        torch.rand([2, 5, 3], { seed: 1 }),
        torch.rand([2, 5, 4], { seed: 2 }),
        torch.rand([5, 2], { seed: 3 }),
        torch.zeros([2, 0, 1]),
        torch.zeros([2, 0, 4]),
        torch.zeros([2, 0, 1]),
      );
      expect(r.fgMask.any().item()).toBe(0);
      expect(r.targetLabels.toNumbers()).toEqual(Array(10).fill(3));
      expect(r.targetScores.abs().sum().item()).toBe(0);
    }));
});
