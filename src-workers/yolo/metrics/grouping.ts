/**
 * Metrics for the 80-slot class scheme (src-workers/core/classes.ts) grouped two ways:
 *
 * - Per base class ("Truck" over Truck (Norm), Truck (Wint), Truck (Night)), two readings:
 *   - `baseClasses`: every slot is mapped to its base class BEFORE matching, and the whole
 *     Ultralytics pipeline (match, AP, max-F1 P/R) runs on the base classes. A Truck (Night)
 *     prediction on a Truck (Norm) box is a hit: "does the model find trucks, whatever the mode".
 *   - `baseClassesStrict`: the slot-level TP matrix is kept (the weather mode must be right too) and
 *     the predictions and boxes of the base class's slots are pooled into one class for AP.
 *   The gap between the two is what weather-mode mistakes cost.
 * - Per weather mode (its 17 slots): exactly what Ultralytics would report on a dataset holding only
 *   that mode's slots: per-slot AP is unchanged, means run over the mode's slots that have ground
 *   truth, and P/R/F1 are read at the max-F1 confidence of those slots alone.
 *
 * Predictions in unused slots belong to no base class and no mode; they only count at slot level.
 */
import type { ClassCatalog } from "../../core/classes.js";
import type { MatchStats } from "./ap.js";
import { DetMetrics, summarize, type DetMetricsResult, type EvalImage } from "./det-metrics.js";

export interface ModeMetrics {
  readonly mode: string;
  readonly index: number;
  /** The mode's slot ids. */
  readonly slots: number[];
  /** perClass holds the mode's slots that have ground truth; maps/ntPerClass stay slot-indexed. */
  readonly metrics: DetMetricsResult;
}

export interface GroupedMetrics {
  readonly slots: DetMetricsResult;
  readonly baseClasses: DetMetricsResult;
  readonly baseClassesStrict: DetMetricsResult;
  readonly modes: ModeMetrics[];
}

/** Keep the predictions and targets whose class passes `keep`, relabelled by `map`. */
export function selectStats(
  stats: MatchStats,
  keep: (cls: number) => boolean,
  map: (cls: number) => number = (c) => c,
): MatchStats {
  const { nIou } = stats;
  const rows: number[] = [];
  for (let i = 0; i < stats.predCls.length; i++) if (keep(stats.predCls[i]!)) rows.push(i);
  const tp = new Uint8Array(rows.length * nIou);
  rows.forEach((i, r) => tp.set(stats.tp.subarray(i * nIou, (i + 1) * nIou), r * nIou));
  const targets = Array.from(stats.targetCls).filter(keep);
  return {
    tp,
    nIou,
    conf: Float32Array.from(rows, (i) => stats.conf[i]!),
    predCls: Int32Array.from(rows, (i) => map(stats.predCls[i]!)),
    targetCls: Int32Array.from(targets, map),
  };
}

export class GroupedDetMetrics {
  private readonly slotMetrics: DetMetrics;
  private readonly baseMetrics: DetMetrics;
  /** slot id -> base index, -1 for unused slots. */
  private readonly baseOf: Int32Array;

  constructor(private readonly catalog: ClassCatalog) {
    this.slotMetrics = new DetMetrics({ nc: catalog.slots, names: catalog.slotNames() });
    this.baseMetrics = new DetMetrics({
      nc: catalog.baseClasses.length,
      names: catalog.baseClasses.map((b) => b.name),
    });
    this.baseOf = new Int32Array(catalog.slots).fill(-1);
    for (const id of catalog.usedIds()) this.baseOf[id] = catalog.slot(id).base.index;
  }

  /** Add one image (slot ids); returns its slot-level TP matrix. */
  add(image: EvalImage): Uint8Array {
    const tp = this.slotMetrics.add(image);
    const base = (c: number): number =>
      Number.isInteger(c) && c >= 0 && c < this.baseOf.length ? this.baseOf[c]! : -1;
    this.baseMetrics.add({
      ...image,
      gt: image.gt.filter((g) => base(g.cls) >= 0).map((g) => ({ ...g, cls: base(g.cls) })),
      predictions: image.predictions.filter((d) => base(d.cls) >= 0).map((d) => ({ ...d, cls: base(d.cls) })),
    });
    return tp;
  }

  result(): GroupedMetrics {
    const slots = this.slotMetrics.result();
    const baseClasses = this.baseMetrics.result();
    const stats = this.slotMetrics.stats();
    const isUsed = (c: number): boolean => this.baseOf[c]! >= 0;
    const baseNames = this.catalog.baseClasses.map((b) => b.name);
    const baseClassesStrict = summarize(
      selectStats(stats, isUsed, (c) => this.baseOf[c]!),
      baseNames.length,
      baseNames,
      baseClasses.ntPerImage,
      baseClasses.imagesSeen,
    );
    const names = this.catalog.slotNames();
    const modes = this.catalog.modes.map((mode): ModeMetrics => {
      const ids = this.catalog.usedIds().filter((id) => this.catalog.slot(id).mode.index === mode.index);
      const inMode = new Set(ids);
      const metrics = summarize(
        selectStats(stats, (c) => inMode.has(c)),
        this.catalog.slots,
        names,
        slots.ntPerImage.map((n, id) => (inMode.has(id) ? n : 0)),
        slots.imagesSeen,
      );
      return { mode: mode.name, index: mode.index, slots: ids, metrics };
    });
    return { slots, baseClasses, baseClassesStrict, modes };
  }
}
