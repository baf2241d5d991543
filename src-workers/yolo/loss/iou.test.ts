/** bboxIoU and its variants on boxes worked out by hand, both box formats, and its gradient. */
import { describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { bboxIoU } from "./iou.js";

// box1 (0,0)-(4,2), box2 (1,1)-(5,4): intersection 3x1, union 8 + 12 - 3, enclosing box 5x4.
const IOU = 3 / 17;
const DIOU = IOU - (1 + 1.5 ** 2) / (5 ** 2 + 4 ** 2);
const V = (4 / Math.PI ** 2) * (Math.atan(4 / 3) - Math.atan(2)) ** 2;
const CIOU = DIOU - V * (V / (V - IOU + 1));
const GIOU = IOU - (20 - 17) / 20;

describe("bboxIoU", () => {
  it.each([
    ["iou", IOU],
    ["giou", GIOU],
    ["diou", DIOU],
    ["ciou", CIOU],
  ] as const)("%s of two xyxy boxes", (kind, want) =>
    torch.tidy(() => {
      const r = bboxIoU(torch.tensor([[0, 0, 4, 2]]), torch.tensor([[1, 1, 5, 4]]), { xywh: false, kind });
      expect(r.shape).toEqual([1, 1]);
      expect(r.item()).toBeCloseTo(want, 5);
    }),
  );

  it("xywh boxes give the same as their xyxy corners", () =>
    torch.tidy(() => {
      const r = bboxIoU(torch.tensor([2, 1, 4, 2]), torch.tensor([3, 2.5, 4, 3]), { kind: "ciou" });
      expect(r.item()).toBeCloseTo(CIOU, 5);
    }));

  it("broadcasts (m, 1, 4) against (1, a, 4); identical boxes give 1, disjoint ones IoU 0", () =>
    torch.tidy(() => {
      const gts = torch
        .tensor([
          [0, 0, 10, 10],
          [20, 20, 30, 40],
        ])
        .unsqueeze(1);
      const preds = torch
        .tensor([
          [0, 0, 10, 10],
          [50, 50, 60, 60],
          [20, 20, 30, 40],
        ])
        .unsqueeze(0);
      const iou = bboxIoU(gts, preds, { xywh: false }).squeeze(-1).toArray() as number[][];
      expect(iou.map((r) => r.map((v) => Math.round(v * 1e5) / 1e5))).toEqual([
        [1, 0, 0],
        [0, 0, 1],
      ]);
      const ciou = bboxIoU(gts, preds, { xywh: false, kind: "ciou" }).squeeze(-1).toArray() as number[][];
      expect(ciou[0]![0]).toBeCloseTo(1, 5);
      // Disjoint: CIoU goes below 0 by the centre-distance term.
      expect(ciou[0]![1]).toBeLessThan(0);
    }));

  it("CIoU is differentiable: 1 - CIoU pulls the prediction towards the target", () =>
    torch.tidy(() => {
      const pred = torch.tensor([[1, 1, 5, 4]]).requiresGrad_();
      const loss = bboxIoU(pred, torch.tensor([[0, 0, 4, 2]]), { xywh: false, kind: "ciou" })
        .rsub(1)
        .sum();
      loss.backward();
      const g = pred.grad!.toNumbers();
      expect(g.every(Number.isFinite)).toBe(true);
      // Every corner of the prediction sits right of / below the target's: descent moves them back.
      for (const v of g) expect(v).toBeGreaterThan(0);
    }));
});
