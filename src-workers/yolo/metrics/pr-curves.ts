/** PR and metric-confidence curve data for the UI, as Ultralytics plots them (PR_curve, P/R/F1_curve). */
import { CURVE_POINTS, type ApResult } from "./ap.js";
import { argmax, smooth } from "./numeric.js";

export interface ClassCurves {
  readonly cls: number;
  readonly name: string;
  readonly ap50: number;
  /** Precision at each `recall` point (the IoU-0.5 precision envelope). */
  readonly precision: number[];
  /** Precision, recall and F1 at each `confidence` point. */
  readonly pConf: number[];
  readonly rConf: number[];
  readonly f1Conf: number[];
}

export interface PrCurves {
  /** x axis of the PR curves. */
  readonly recall: number[];
  /** x axis of the metric-confidence curves (the same 0..1 grid). */
  readonly confidence: number[];
  readonly classes: ClassCurves[];
  /**
   * All classes together: the PR curve averaged over the classes with ground truth (a class with no
   * predictions counts as zero, as it does in mAP50), and P/R/F1 averaged then smoothed (f = 0.05)
   * as Ultralytics draws the thick "all classes" line.
   */
  readonly all: {
    readonly map50: number;
    readonly precision: number[];
    readonly pConf: number[];
    readonly rConf: number[];
    readonly f1Conf: number[];
    /** Peak of f1Conf and the confidence where it is reached. */
    readonly bestF1: number;
    readonly bestConf: number;
  };
}

export interface PrCurveOptions {
  /** Points per curve, spread evenly over the 1000-point grid (default all 1000). */
  readonly points?: number;
  readonly names?: readonly string[];
}

export function prCurves(ap: ApResult, opts: PrCurveOptions = {}): PrCurves {
  const P = CURVE_POINTS;
  const n = Math.max(2, Math.min(P, opts.points ?? P));
  const pick = Array.from({ length: n }, (_, i) => Math.round((i * (P - 1)) / (n - 1)));
  const nc = ap.classes.length;
  const row = (curve: Float64Array, k: number): number[] => pick.map((t) => curve[k * P + t]!);
  const meanRow = (curve: Float64Array): Float64Array => {
    const out = new Float64Array(P);
    for (let t = 0; t < P; t++) {
      let s = 0;
      for (let k = 0; k < nc; k++) s += curve[k * P + t]!;
      out[t] = nc ? s / nc : 0;
    }
    return out;
  };
  const sample = (y: Float64Array): number[] => pick.map((t) => y[t]!);
  const classes = ap.classes.map((cls, k): ClassCurves => ({
    cls,
    name: opts.names?.[cls] ?? String(cls),
    ap50: ap.ap[k * ap.nIou]!,
    precision: row(ap.precAtRecall, k),
    pConf: row(ap.pCurve, k),
    rConf: row(ap.rCurve, k),
    f1Conf: row(ap.f1Curve, k),
  }));
  const f1 = smooth(meanRow(ap.f1Curve), 0.05);
  const best = argmax(f1);
  let map50 = 0;
  for (let k = 0; k < nc; k++) map50 += ap.ap[k * ap.nIou]! / nc;
  return {
    recall: sample(ap.x),
    confidence: sample(ap.x),
    classes,
    all: {
      map50,
      precision: sample(meanRow(ap.precAtRecall)),
      pConf: sample(smooth(meanRow(ap.pCurve), 0.05)),
      rConf: sample(smooth(meanRow(ap.rCurve), 0.05)),
      f1Conf: sample(f1),
      bestF1: f1[best] ?? 0,
      bestConf: ap.x[best] ?? 0,
    },
  };
}
