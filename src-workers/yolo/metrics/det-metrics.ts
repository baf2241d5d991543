/** Ultralytics' DetectionValidator.update_metrics + DetMetrics as a plain accumulator. */
import { apMeanOverIou, apPerClass, type ApResult, type MatchStats } from "./ap.js";
import { boxIou, yoloToXyxy, type YoloBox } from "./iou.js";
import { IOU_THRESHOLDS, matchPredictions } from "./match.js";
import { npMean } from "./numeric.js";

export interface Detection {
  /** x1 y1 x2 y2 in pixels of the evaluated image. */
  readonly xyxy: ArrayLike<number>;
  readonly conf: number;
  readonly cls: number;
}

export interface EvalImage {
  readonly width: number;
  readonly height: number;
  /** Ground truth in YOLO label form (normalised to width x height). */
  readonly gt: readonly YoloBox[];
  /** Predictions as NMS returns them: confidence-descending. */
  readonly predictions: readonly Detection[];
}

export interface ClassMetrics {
  readonly cls: number;
  readonly name: string;
  /** Ground-truth boxes and images holding at least one. */
  readonly instances: number;
  readonly images: number;
  readonly p: number;
  readonly r: number;
  readonly f1: number;
  readonly ap50: number;
  readonly ap50_95: number;
  /** AP at each of IOU_THRESHOLDS. */
  readonly apPerIou: number[];
}

export interface DetMetricsResult {
  readonly mp: number;
  readonly mr: number;
  readonly map50: number;
  readonly map75: number;
  readonly map: number;
  readonly fitness: number;
  /** Only classes that have ground truth, ascending, as Ultralytics reports them. */
  readonly perClass: ClassMetrics[];
  /** Length nc: AP50-95 per class, classes without ground truth get the mean (Ultralytics' maps). */
  readonly maps: number[];
  readonly ntPerClass: number[];
  readonly ntPerImage: number[];
  /** Confidence at which P, R and F1 are read (max of the smoothed mean F1). */
  readonly bestConf: number;
  readonly imagesSeen: number;
  readonly predictions: number;
  readonly resultsDict: Record<string, number>;
  /** Raw curves for pr-curves.ts. */
  readonly ap: ApResult;
}

/** Ultralytics' fitness weights over [mp, mr, map50, map50-95]. */
export const FITNESS_WEIGHTS = [0, 0, 0, 1] as const;

/** Growable typed storage for the per-prediction stats (100k+ predictions). */
class Grow<T extends Int32Array | Float32Array | Uint8Array> {
  length = 0;
  constructor(public data: T) {}
  push(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) {
      const next = new (this.data.constructor as new (n: number) => T)(
        Math.max(this.data.length * 2, this.length + values.length),
      );
      next.set(this.data);
      this.data = next;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export class DetMetrics {
  readonly nc: number;
  private readonly names: readonly string[];
  private readonly tp = new Grow(new Uint8Array(1024));
  // float32 as the model emits (and Ultralytics keeps) them, so the confidence curves agree.
  private readonly conf = new Grow(new Float32Array(1024));
  private readonly predCls = new Grow(new Int32Array(1024));
  private readonly targetCls = new Grow(new Int32Array(1024));
  private readonly imagesPerClass: Int32Array;
  private seen = 0;

  constructor(opts: { nc: number; names?: readonly string[] }) {
    this.nc = opts.nc;
    this.names = opts.names ?? [];
    this.imagesPerClass = new Int32Array(opts.nc);
  }

  /** Add one image; returns its TP matrix (nPred x 10, row-major), predictions in the order given. */
  add(image: EvalImage): Uint8Array {
    const gtCls = Int32Array.from(image.gt, (b) => this.checkClass(b.cls, "ground truth"));
    const predCls = Int32Array.from(image.predictions, (d) => this.checkClass(d.cls, "prediction"));
    const predBoxes = new Float64Array(predCls.length * 4);
    image.predictions.forEach((d, i) =>
      predBoxes.set([d.xyxy[0]!, d.xyxy[1]!, d.xyxy[2]!, d.xyxy[3]!], i * 4),
    );
    const iou = boxIou(yoloToXyxy(image.gt, image.width, image.height), predBoxes);
    const tp = matchPredictions(predCls, gtCls, iou);
    this.addMatched(
      tp,
      Float32Array.from(image.predictions, (d) => d.conf),
      predCls,
      gtCls,
    );
    return tp;
  }

  /** Add an already matched image (e.g. a TP matrix computed elsewhere). */
  addMatched(
    tp: Uint8Array,
    conf: ArrayLike<number>,
    predCls: ArrayLike<number>,
    gtCls: ArrayLike<number>,
  ): void {
    this.seen++;
    this.tp.push(tp);
    this.conf.push(conf);
    this.predCls.push(predCls);
    this.targetCls.push(gtCls);
    for (const c of new Set(Array.from(gtCls))) this.imagesPerClass[c]!++;
  }

  /** The concatenated stats (Ultralytics' DetMetrics.stats), views into internal storage. */
  stats(): MatchStats {
    return {
      tp: this.tp.view(),
      nIou: IOU_THRESHOLDS.length,
      conf: this.conf.view(),
      predCls: this.predCls.view(),
      targetCls: this.targetCls.view(),
    };
  }

  result(): DetMetricsResult {
    return summarize(this.stats(), this.nc, this.names, Array.from(this.imagesPerClass), this.seen);
  }

  private checkClass(c: number, what: string): number {
    if (!Number.isInteger(c) || c < 0 || c >= this.nc)
      throw new RangeError(`${what} class ${c} is outside 0-${this.nc - 1}`);
    return c;
  }
}

/** DetMetrics.process + Metric's means over match stats; `ntPerImage` is images holding each class. */
export function summarize(
  stats: MatchStats,
  nc: number,
  names: readonly string[],
  ntPerImage: number[],
  imagesSeen: number,
): DetMetricsResult {
  const ap = apPerClass(stats);
  const k = ap.classes.length;
  const ntPerClass = new Array<number>(nc).fill(0);
  ap.classes.forEach((c, i) => (ntPerClass[c] = ap.nt[i]!));
  const perClass = ap.classes.map((c, i): ClassMetrics => ({
    cls: c,
    name: names[c] ?? String(c),
    instances: ap.nt[i]!,
    images: ntPerImage[c] ?? 0,
    p: ap.p[i]!,
    r: ap.r[i]!,
    f1: ap.f1[i]!,
    ap50: ap.ap[i * ap.nIou]!,
    ap50_95: apMeanOverIou(ap, i),
    apPerIou: Array.from(ap.ap.subarray(i * ap.nIou, (i + 1) * ap.nIou)),
  }));
  const mp = npMean((i) => ap.p[i]!, k);
  const mr = npMean((i) => ap.r[i]!, k);
  const map50 = npMean((i) => ap.ap[i * ap.nIou]!, k);
  const i75 = IOU_THRESHOLDS.indexOf(0.75);
  const map75 = npMean((i) => ap.ap[i * ap.nIou + i75]!, k);
  const map = npMean((i) => ap.ap[i]!, k * ap.nIou);
  const mean = [mp, mr, map50, map];
  const fitness = mean.reduce((s, v, i) => s + v * FITNESS_WEIGHTS[i]!, 0);
  const maps = new Array<number>(nc).fill(map);
  perClass.forEach((c) => (maps[c.cls] = c.ap50_95));
  return {
    mp,
    mr,
    map50,
    map75,
    map,
    fitness,
    perClass,
    maps,
    ntPerClass,
    ntPerImage,
    bestConf: ap.x[ap.bestIndex] ?? 0,
    imagesSeen,
    predictions: stats.predCls.length,
    resultsDict: {
      "metrics/precision(B)": mp,
      "metrics/recall(B)": mr,
      "metrics/mAP50(B)": map50,
      "metrics/mAP50-95(B)": map,
      fitness,
    },
    ap,
  };
}
