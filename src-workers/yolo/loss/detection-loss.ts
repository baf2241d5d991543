/**
 * Ultralytics' v8DetectionLoss (utils/loss.py) on our raw level maps: task-aligned assignment, then
 * CIoU + DFL box losses on the foreground anchors and BCE class loss on all anchors, with the default
 * gains (box 7.5, cls 0.5, dfl 1.5).
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { TaskAlignedAssigner } from "./assigner.js";
import { bboxLoss, dist2bbox } from "./box-loss.js";

export interface LossGains {
  readonly box: number;
  readonly cls: number;
  readonly dfl: number;
}

export interface DetectionLossOptions {
  readonly nc: number;
  /** Strides of the levels, in the order of the raw maps. */
  readonly strides?: readonly number[];
  readonly regMax?: number;
  readonly gains?: Partial<LossGains>;
  readonly topk?: number;
}

export interface DetectionLossResult {
  /** What backward runs: (box + cls + dfl) * batch size, with the gains applied. */
  readonly total: Tensor;
  /** (3) detached [box, cls, dfl] after their gains: Ultralytics' loss_items. */
  readonly items: Tensor;
  /** Foreground anchors over the batch. */
  readonly fgCount: number;
  /** Sum of the assigner's target scores (before the max with 1). */
  readonly targetScoresSum: number;
}

/** Anchor centres (a, 2) at cell + 0.5 in grid units and their strides (a, 1), levels in order. */
export function makeAnchors(
  raw: readonly Tensor[],
  strides: readonly number[],
): { points: Tensor; strides: Tensor } {
  return torch.tidy(() => {
    const r0 = raw[0]!;
    const opts = { dtype: r0.dtype, device: r0.device };
    const pts: Tensor[] = [];
    const sts: Tensor[] = [];
    raw.forEach((r, i) => {
      const [h, w] = [r.shape[2]!, r.shape[3]!];
      const sx = torch.arange(0, w, 1, opts).add(0.5);
      const sy = torch.arange(0, h, 1, opts).add(0.5);
      const [gy, gx] = torch.meshgrid([sy, sx], "ij") as [Tensor, Tensor];
      pts.push(torch.stack([gx, gy], -1).view(-1, 2));
      sts.push(torch.full([h * w, 1], strides[i] ?? 0, opts));
    });
    return { points: torch.cat(pts, 0), strides: torch.cat(sts, 0) };
  });
}

/**
 * Targets rows (n, 6) batch_idx, cls, cx, cy, w, h (normalised) into padded gt tensors: labels
 * (b, m, 1) and xyxy boxes (b, m, 4) scaled by imgsz [w, h]; m is the most boxes in one image.
 */
export function preprocessTargets(
  targets: Tensor,
  batchSize: number,
  imgsz: readonly [number, number],
  device: string,
): { gtLabels: Tensor; gtBboxes: Tensor } {
  if (targets.numel > 0 && (targets.ndim !== 2 || targets.shape[1] !== 6))
    throw new RangeError(`DetectionLoss: targets must be (n, 6) rows, got [${targets.shape.join(", ")}]`);
  return torch.tidy(() => {
    const rows = targets.to("float32", "cpu").data() as Float32Array;
    const byImage: number[][] = Array.from({ length: batchSize }, () => []);
    for (let r = 0; r < rows.length / 6; r++) byImage[rows[r * 6]!]?.push(r);
    const m = Math.max(0, ...byImage.map((l) => l.length));
    const out = new Float32Array(batchSize * m * 5);
    byImage.forEach((list, j) =>
      list.forEach((r, k) => out.set(rows.subarray(r * 6 + 1, r * 6 + 6), (j * m + k) * 5)),
    );
    const padded = torch.tensor(out, [batchSize, m, 5], { device });
    const [w, h] = imgsz;
    const xywh = padded.slice(-1, 1, 5).mul(torch.tensor([w, h, w, h], { device }));
    const xy = xywh.slice(-1, 0, 2);
    const half = xywh.slice(-1, 2, 4).div(2);
    const gtBboxes = torch.cat([xy.sub(half), xy.add(half)], -1);
    return { gtLabels: padded.slice(-1, 0, 1), gtBboxes };
  });
}

export class DetectionLoss {
  readonly nc: number;
  readonly regMax: number;
  readonly strides: readonly number[];
  readonly gains: LossGains;
  readonly assigner: TaskAlignedAssigner;

  constructor(o: DetectionLossOptions) {
    this.nc = o.nc;
    this.regMax = o.regMax ?? 16;
    this.strides = o.strides ?? [8, 16, 32];
    this.gains = { box: 7.5, cls: 0.5, dfl: 1.5, ...o.gains };
    this.assigner = new TaskAlignedAssigner({ topk: o.topk ?? 10, numClasses: this.nc });
  }

  /** Expected ltrb distances (b, a, 4) from DFL logits (b, a, 4*regMax): softmax, then the mean bin. */
  decodeDistances(predDist: Tensor): Tensor {
    return torch.tidy(() => {
      const [b, a] = predDist.shape as [number, number];
      const proj = torch.arange(0, this.regMax, 1, { dtype: predDist.dtype, device: predDist.device });
      return predDist.view(b, a, 4, this.regMax).softmax(3).matmul(proj);
    });
  }

  /** raw: the model's level maps (b, 4*regMax+nc, h, w); targets: rows (n, 6) as preprocessTargets. */
  forward(raw: readonly Tensor[], targets: Tensor): DetectionLossResult {
    return torch.tidy(() => {
      const r0 = raw[0]!;
      const b = r0.shape[0]!;
      const no = this.regMax * 4 + this.nc;
      if (raw.length !== this.strides.length || raw.some((r) => r.ndim !== 4 || r.shape[1] !== no))
        throw new RangeError(
          `DetectionLoss: expected ${this.strides.length} maps (b, ${no}, h, w), got ` +
            raw.map((r) => `[${r.shape.join(", ")}]`).join(" "),
        );
      const flat = torch.cat(
        raw.map((r) => r.view(b, no, -1)),
        2,
      );
      const predDist = flat
        .narrow(1, 0, this.regMax * 4)
        .permute(0, 2, 1)
        .contiguous();
      const predScores = flat
        .narrow(1, this.regMax * 4, this.nc)
        .permute(0, 2, 1)
        .contiguous();
      const anchors = makeAnchors(raw, this.strides);
      const s0 = this.strides[0] ?? 8;
      const imgsz: [number, number] = [r0.shape[3]! * s0, r0.shape[2]! * s0];
      const { gtLabels, gtBboxes } = preprocessTargets(targets, b, imgsz, r0.device);
      const maskGt = gtBboxes.sum(2, true).gt(0);

      const predBboxes = dist2bbox(this.decodeDistances(predDist), anchors.points, false);
      const assigned = this.assigner.forward(
        predScores.detach().sigmoid(),
        predBboxes.detach().mul(anchors.strides),
        anchors.points.mul(anchors.strides),
        gtLabels,
        gtBboxes,
        maskGt,
      );
      const scoresSum = assigned.targetScores.sum();
      const divisor = scoresSum.clampMin(1);

      const cls = torch
        .bceWithLogits(predScores, assigned.targetScores, { reduction: "none" })
        .sum()
        .div(divisor);
      const fgCount = assigned.fgMask.sum().item();
      let box: Tensor = torch.zeros([], { dtype: cls.dtype, device: cls.device });
      let dfl = box;
      if (fgCount > 0) {
        [box, dfl] = bboxLoss(
          {
            predDist,
            predBboxes,
            anchorPoints: anchors.points,
            targetBboxes: assigned.targetBboxes.div(anchors.strides),
            targetScores: assigned.targetScores,
            targetScoresSum: divisor,
            fgMask: assigned.fgMask,
          },
          this.regMax,
        );
      }
      const g = this.gains;
      const loss = torch.stack([box.mul(g.box), cls.mul(g.cls), dfl.mul(g.dfl)]);
      return {
        total: loss.mul(b).sum(),
        items: loss.detach(),
        fgCount,
        targetScoresSum: scoresSum.item(),
      };
    });
  }
}
