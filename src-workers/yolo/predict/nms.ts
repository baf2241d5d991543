/**
 * Ultralytics' non_max_suppression (8.3.253): keep anchors whose best class score passes `conf`
 * (or, with multiLabel, every anchor and class whose score passes it, as the validator does), run
 * greedy NMS per class (boxes shifted apart by class * maxWh, or not at all when agnostic), cap at
 * maxDet. Each image of a batch is handled on its own rows only.
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { xywh2xyxy } from "./boxes.js";
import { NMS_DEFAULTS } from "./nms-defaults.js";

export interface NmsOptions {
  readonly conf?: number;
  readonly iou?: number;
  /** One NMS over all classes instead of one per class. */
  readonly agnostic?: boolean;
  readonly maxDet?: number;
  /** Most candidates (by confidence) that enter NMS. */
  readonly maxNms?: number;
  /** Class offset for class-aware NMS; larger than any box coordinate. */
  readonly maxWh?: number;
  /** Every class score above conf makes a candidate (Ultralytics' multi_label=True); default one per anchor. */
  readonly multiLabel?: boolean;
}

export interface NmsResult {
  /** (n, 6) rows x1 y1 x2 y2 conf cls, by descending conf. */
  readonly dets: Tensor;
  /** (n) int64: the anchor (column of the prediction) each row came from. */
  readonly index: Tensor;
}

export { NMS_DEFAULTS };

/** pred: (B, 4 + nc, N) as the detector's eval output. One result per image. */
export function nonMaxSuppressionWithIndex(pred: Tensor, opts: NmsOptions = {}): NmsResult[] {
  const o = { ...NMS_DEFAULTS, ...opts };
  if (!(o.conf >= 0 && o.conf <= 1)) throw new RangeError(`conf ${o.conf} is outside 0-1`);
  if (!(o.iou >= 0 && o.iou <= 1)) throw new RangeError(`iou ${o.iou} is outside 0-1`);
  if (pred.ndim !== 3 || pred.size(1) < 5)
    throw new RangeError(`expected a (B, 4+nc, N) prediction, got [${pred.shape.join(", ")}]`);
  const [bs, ch] = pred.shape as [number, number, number];
  return torch.tidy(() => {
    const p = pred.float().transpose(1, 2); // (B, N, 4+nc)
    const out: NmsResult[] = [];
    for (let b = 0; b < bs; b++) out.push(one(p.select(0, b), ch - 4, o));
    return out;
  });
}

export function nonMaxSuppression(pred: Tensor, opts: NmsOptions = {}): Tensor[] {
  return torch.tidy(() => nonMaxSuppressionWithIndex(pred, opts).map((r) => r.dets));
}

/** Candidates (n, 6) x1 y1 x2 y2 conf cls and their anchors (n), in anchor order, before NMS. */
function candidates(x: Tensor, nc: number, o: typeof NMS_DEFAULTS): { dets: Tensor; index: Tensor } {
  const scores = x.slice(1, 4, 4 + nc);
  if (o.multiLabel) {
    const ij = scores.gt(o.conf).nonzero(); // (n, 2): anchor, class (row-major, as torch.where)
    const index = ij.select(1, 0);
    const cls = ij.select(1, 1);
    const conf = scores.flatten().indexSelect(0, index.mul(nc).add(cls));
    const box = xywh2xyxy(x.slice(1, 0, 4)).indexSelect(0, index);
    return { dets: torch.cat([box, conf.unsqueeze(1), cls.float().unsqueeze(1)], 1), index };
  }
  const [conf, cls] = scores.maxDim(1, true);
  const index = conf.squeeze(1).gt(o.conf).nonzero().squeeze(1);
  const dets = torch.cat([xywh2xyxy(x.slice(1, 0, 4)), conf, cls.float()], 1).indexSelect(0, index);
  return { dets, index };
}

function one(x: Tensor, nc: number, o: typeof NMS_DEFAULTS): NmsResult {
  let { dets, index } = candidates(x, nc, o);
  const n = index.size(0);
  if (n === 0) return { dets: torch.zeros([0, 6], { device: x.device }), index };
  if (n > o.maxNms) {
    const top = dets.select(1, 4).argsort(0, true).slice(0, 0, o.maxNms);
    dets = dets.indexSelect(0, top);
    index = index.indexSelect(0, top);
  }
  const offset = dets.slice(1, 5, 6).mul(o.agnostic ? 0 : o.maxWh);
  const kept = torch.nms(dets.slice(1, 0, 4).add(offset), dets.select(1, 4), o.iou).slice(0, 0, o.maxDet);
  return { dets: dets.indexSelect(0, kept), index: index.indexSelect(0, kept) };
}
