/**
 * v8DetectionLoss parity (tests/data/yolo11 README section 4): the train-mode raw maps of yolo11n-nc80
 * with loss-targets give loss.json's items, total, fg count and target score sum to 1e-4 relative;
 * gradients reach the raw maps; an empty batch has only background class loss; nothing leaks.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { fixtureJson, fixtureTensor } from "../predict/test-support.js";
import { DetectionLoss, makeAnchors, preprocessTargets } from "./detection-loss.js";

interface LossJson {
  loss_items_box_cls_dfl: number[];
  loss_returned_times_batch_size: number[];
  total_loss: number;
  fg_count: number;
  target_scores_sum: number;
}

const expected = fixtureJson<LossJson>("loss.json");
const rel = (ours: number, theirs: number) => Math.abs(ours - theirs) / Math.abs(theirs);
const rawMaps = () => ["p3", "p4", "p5"].map((p) => fixtureTensor(`loss-train-${p}`));

describe("DetectionLoss parity with Ultralytics v8DetectionLoss", () => {
  it("gives loss.json's items, total, fg count and target score sum; frees its tensors", () => {
    const baseline = torch.liveTensors().count;
    torch.tidy(() => {
      const loss = new DetectionLoss({ nc: 80 });
      const r = loss.forward(rawMaps(), fixtureTensor("loss-targets"));
      const items = r.items.toNumbers();
      expected.loss_items_box_cls_dfl.forEach((v, i) => expect(rel(items[i]!, v)).toBeLessThan(1e-4));
      expect(rel(r.total.item(), expected.total_loss)).toBeLessThan(1e-4);
      expect(r.fgCount).toBe(expected.fg_count);
      expect(rel(r.targetScoresSum, expected.target_scores_sum)).toBeLessThan(1e-4);
      expect(r.items.requiresGrad).toBe(false);
    });
    expect(torch.liveTensors().count).toBe(baseline);
  });

  it("backward gives finite gradients on every raw map, box channels only at foreground anchors", () => {
    const baseline = torch.liveTensors().count;
    torch.tidy(() => {
      const raw = rawMaps().map((t) => t.requiresGrad_());
      const r = new DetectionLoss({ nc: 80 }).forward(raw, fixtureTensor("loss-targets"));
      r.total.backward();
      const grads = raw.map((t) => t.grad!);
      grads.forEach((g, i) => {
        expect(g.shape).toEqual(raw[i]!.shape);
        expect(g.isfinite().all().item()).toBe(1);
        // BCE reaches every class logit.
        expect(g.narrow(1, 64, 80).ne(0).all().item()).toBe(1);
      });
      // CIoU/DFL reach the box logits of foreground anchors only (62 on p3, 1 on p4, none on p5).
      const fg = fixtureTensor("assigner-out-fg_mask").bool();
      const boxGrad = torch.cat(
        grads.map((g) => g.narrow(1, 0, 64).abs().sum(1).flatten(1)),
        1,
      );
      expect(boxGrad.mask(fg).gt(0).all().item()).toBe(1);
      expect(boxGrad.mask(fg.logicalNot()).sum().item()).toBe(0);
      expect(grads[0]!.narrow(1, 0, 64).abs().sum().item()).toBeGreaterThan(1);
    });
    expect(torch.liveTensors().count).toBe(baseline);
  });

  it("a batch with no targets: box and dfl 0, class loss on background only", () =>
    torch.tidy(() => {
      const raw = rawMaps().map((t) => t.requiresGrad_());
      const r = new DetectionLoss({ nc: 80 }).forward(raw, torch.zeros([0, 6]));
      const [box, cls, dfl] = r.items.toNumbers() as [number, number, number];
      expect(box).toBe(0);
      expect(dfl).toBe(0);
      expect(r.fgCount).toBe(0);
      // All-zero targets: BCE sum over every logit, divided by max(0, 1), times the cls gain.
      const logits = torch.cat(raw.map((t) => t.narrow(1, 64, 80).reshape(-1)));
      const bg = torch.bceWithLogits(logits, torch.zerosLike(logits), { reduction: "sum" }).item();
      expect(rel(cls, bg * 0.5)).toBeLessThan(1e-5);
      r.total.backward();
      const g = raw[0]!.grad!;
      expect(g.narrow(1, 0, 64).abs().sum().item()).toBe(0);
      expect(g.isfinite().all().item()).toBe(1);
    }));
});

describe("loss helpers", () => {
  it("rejects maps of the wrong channel count and malformed targets", () =>
    torch.tidy(() => {
      const loss = new DetectionLoss({ nc: 5 });
      const maps = [8, 4, 2].map((s) => torch.zeros([1, 69, s, s]));
      expect(() => loss.forward(maps.slice(0, 2), torch.zeros([0, 6]))).toThrow(/expected 3 maps/);
      expect(() => loss.forward([torch.zeros([1, 70, 8, 8]), ...maps.slice(1)], torch.zeros([0, 6]))).toThrow(
        RangeError,
      );
      expect(() => loss.forward(maps, torch.zeros([2, 5]))).toThrow(/\(n, 6\)/);
      expect(loss.forward(maps, torch.tensor([[0, 4, 0.5, 0.5, 0.5, 0.5]])).fgCount).toBeGreaterThan(0);
    }));

  it("makeAnchors: cell centres, row-major per level, with strides", () =>
    torch.tidy(() => {
      const { points, strides } = makeAnchors(
        [torch.zeros([1, 1, 2, 3]), torch.zeros([1, 1, 1, 1])],
        [8, 16],
      );
      expect(points.toArray()).toEqual([
        [0.5, 0.5],
        [1.5, 0.5],
        [2.5, 0.5],
        [0.5, 1.5],
        [1.5, 1.5],
        [2.5, 1.5],
        [0.5, 0.5],
      ]);
      expect(strides.toNumbers()).toEqual([8, 8, 8, 8, 8, 8, 16]);
    }));

  it("preprocessTargets: padded per image, xyxy scaled by [w, h]", () =>
    torch.tidy(() => {
      const rows = torch.tensor([
        [1, 2, 0.5, 0.5, 0.5, 0.25],
        [1, 3, 0.25, 0.25, 0.1, 0.1],
      ]);
      const { gtLabels, gtBboxes } = preprocessTargets(rows, 3, [200, 100], "cpu");
      expect(gtLabels.toArray()).toEqual([
        [[0], [0]],
        [[2], [3]],
        [[0], [0]],
      ]);
      const b = gtBboxes.toArray() as number[][][];
      expect(b[0]).toEqual([
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ]);
      expect(b[1]![0]).toEqual([50, 37.5, 150, 62.5]);
      expect(b[1]![1]!.map((v) => Math.round(v * 1e4) / 1e4)).toEqual([40, 20, 60, 30]);
    }));

  it("decodeDistances: uniform logits give the middle bin 7.5", () =>
    torch.tidy(() => {
      const d = new DetectionLoss({ nc: 1 }).decodeDistances(torch.zeros([1, 2, 64]));
      expect(d.shape).toEqual([1, 2, 4]);
      for (const v of d.toNumbers()) expect(v).toBeCloseTo(7.5, 5);
    }));
});
