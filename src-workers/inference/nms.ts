/**
 * Non-maximum suppression in plain TypeScript, for models run by ONNX Runtime (no libtorch here).
 * Same semantics as yolo/predict/nms.ts (Ultralytics' non_max_suppression with one label per
 * anchor): best class per anchor, score > conf, at most maxNms candidates by score, greedy NMS per
 * class (boxes shifted apart by class * maxWh) with suppression where IoU > iou, at most maxDet.
 * The arithmetic is float32 at each step, as torchvision's CPU kernel, so borderline overlaps
 * fall the same way.
 */
import { NMS_DEFAULTS } from "../yolo/predict/nms-defaults.js";

export interface PlainNmsOptions {
  readonly conf?: number;
  readonly iou?: number;
  readonly agnostic?: boolean;
  readonly maxDet?: number;
  readonly maxNms?: number;
  readonly maxWh?: number;
}

/** Kept detections of one image: rows of x1 y1 x2 y2 conf cls (input pixels), by descending conf. */
export interface DetectionRows {
  readonly rows: Float32Array;
  readonly count: number;
}

/** The predictor's defaults, one label per anchor (the only mode here). */
export const PLAIN_NMS_DEFAULTS = (({ multiLabel: _, ...rest }) => rest)(NMS_DEFAULTS);

const f = Math.fround;

/**
 * One image of a raw (B, 4+nc, N) output: `data` holds the whole batch, `image` picks the slice.
 * Channel c of anchor a is data[image * C * N + c * N + a].
 */
export function plainNms(
  data: Float32Array,
  channels: number,
  anchors: number,
  image: number,
  opts: PlainNmsOptions = {},
): DetectionRows {
  const o = { ...PLAIN_NMS_DEFAULTS, ...opts };
  if (!(o.conf >= 0 && o.conf <= 1)) throw new RangeError(`conf ${o.conf} is outside 0-1`);
  if (!(o.iou >= 0 && o.iou <= 1)) throw new RangeError(`iou ${o.iou} is outside 0-1`);
  const nc = channels - 4;
  if (nc < 1) throw new RangeError(`expected 4 + nc channels, got ${channels}`);
  const base = image * channels * anchors;
  if (base + channels * anchors > data.length)
    throw new RangeError(`image ${image} is outside the ${data.length}-value output`);

  // Best class per anchor (the first of equal maxima, as torch.max), kept when above conf.
  const best = new Float32Array(anchors).fill(-Infinity);
  const cls = new Int32Array(anchors);
  for (let c = 0; c < nc; c++) {
    const row = base + (4 + c) * anchors;
    for (let a = 0; a < anchors; a++) {
      const s = data[row + a]!;
      if (s > best[a]!) {
        best[a] = s;
        cls[a] = c;
      }
    }
  }
  let cand: number[] = [];
  for (let a = 0; a < anchors; a++) if (best[a]! > o.conf) cand.push(a);
  if (cand.length === 0) return { rows: new Float32Array(0), count: 0 };
  // Stable sorts: equal scores keep anchor order, as torch's stable sort does.
  const byScore = (p: number, q: number): number => best[q]! - best[p]!;
  if (cand.length > o.maxNms) cand = [...cand].sort(byScore).slice(0, o.maxNms);
  const order = [...cand].sort(byScore);

  const n = order.length;
  const x1 = new Float32Array(n);
  const y1 = new Float32Array(n);
  const x2 = new Float32Array(n);
  const y2 = new Float32Array(n);
  const sx1 = new Float32Array(n);
  const sy1 = new Float32Array(n);
  const sx2 = new Float32Array(n);
  const sy2 = new Float32Array(n);
  const area = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = order[i]!;
    const cx = data[base + a]!;
    const cy = data[base + anchors + a]!;
    const hw = f(data[base + 2 * anchors + a]! / 2);
    const hh = f(data[base + 3 * anchors + a]! / 2);
    x1[i] = f(cx - hw);
    y1[i] = f(cy - hh);
    x2[i] = f(cx + hw);
    y2[i] = f(cy + hh);
    const off = o.agnostic ? 0 : f(cls[a]! * o.maxWh);
    sx1[i] = f(x1[i]! + off);
    sy1[i] = f(y1[i]! + off);
    sx2[i] = f(x2[i]! + off);
    sy2[i] = f(y2[i]! + off);
    area[i] = f(f(sx2[i]! - sx1[i]!) * f(sy2[i]! - sy1[i]!));
  }

  // Boxes of other classes sit maxWh apart and never overlap: each box is compared only with the
  // lower-scored boxes of its own class (a linked list in score order), the same result as
  // comparing with all of them, at a fraction of the work when many classes have candidates.
  const next = new Int32Array(n).fill(-1);
  if (o.agnostic) for (let i = 0; i + 1 < n; i++) next[i] = i + 1;
  else {
    const last = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const c = cls[order[i]!]!;
      const prev = last.get(c);
      if (prev !== undefined) next[prev] = i;
      last.set(c, i);
    }
  }
  const suppressed = new Uint8Array(n);
  const keep: number[] = [];
  for (let i = 0; i < n && keep.length < o.maxDet; i++) {
    if (suppressed[i]) continue;
    keep.push(i);
    for (let j = next[i]!; j !== -1; j = next[j]!) {
      if (suppressed[j]) continue;
      const w = Math.max(0, f(Math.min(sx2[i]!, sx2[j]!) - Math.max(sx1[i]!, sx1[j]!)));
      const h = Math.max(0, f(Math.min(sy2[i]!, sy2[j]!) - Math.max(sy1[i]!, sy1[j]!)));
      const inter = f(w * h);
      if (f(inter / f(f(area[i]! + area[j]!) - inter)) > o.iou) suppressed[j] = 1;
    }
  }

  const rows = new Float32Array(keep.length * 6);
  keep.forEach((i, k) => {
    const a = order[i]!;
    rows.set([x1[i]!, y1[i]!, x2[i]!, y2[i]!, best[a]!, cls[a]!], k * 6);
  });
  return { rows, count: keep.length };
}
