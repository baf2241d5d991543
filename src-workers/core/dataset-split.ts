/**
 * The train/valid/test split. The unit is the source group (sourceStem: an image and its
 * `_aug<k>` copies), so no augmented copy of a validation image ever trains the model. Groups are
 * ordered by a hash of seed + group key, not by listing order, so one seed gives one split on any
 * machine; the order is then cut by cumulative image count at the configured fractions.
 */
import { createHash } from "node:crypto";
import type { ScanEntry } from "./dataset-scan.js";
import type { YoloBox } from "./labels.js";
import { sourceStem } from "./layout.js";

export const SUBSETS = ["train", "valid", "test"] as const;
export type Subset = (typeof SUBSETS)[number];
export type SplitFractions = Readonly<Record<Subset, number>>;

/** One image to place: what the writer needs, nothing more (no pixels, no label text). */
export interface SplitItem {
  readonly stem: string;
  readonly imageName: string;
  readonly imagePath: string;
  readonly labelPath?: string;
  /** Boxes to write instead of linking the label (parsing clipped them). */
  readonly rewrite?: readonly YoloBox[];
  readonly boxes: number;
}

export function groupHash(seed: number, key: string): string {
  return createHash("sha256").update(`${seed}\0${key}`).digest("hex");
}

/**
 * Subset of each group. A group goes where the middle of its images falls in the cumulative
 * count, so each subset misses its target by at most half a group at each cut.
 */
export function assignGroups(
  groupSizes: ReadonlyMap<string, number>,
  fractions: SplitFractions,
  seed: number,
): Map<string, Subset> {
  const order = [...groupSizes.keys()].map((key) => ({ key, h: groupHash(seed, key) }));
  order.sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let total = 0;
  for (const n of groupSizes.values()) total += n;
  const out = new Map<string, Subset>();
  let cum = 0;
  for (const { key } of order) {
    const n = groupSizes.get(key)!;
    const mid = (cum + n / 2) / total;
    out.set(
      key,
      mid < fractions.train ? "train" : mid < fractions.train + fractions.valid ? "valid" : "test",
    );
    cum += n;
  }
  return out;
}

/** Collects the usable images of a scan; bad ones are counted, not kept. */
export class SplitCollector {
  readonly items: SplitItem[] = [];
  leftOut = 0;

  add(e: ScanEntry): void {
    if (!e.ok) {
      this.leftOut++;
      return;
    }
    this.items.push({
      stem: e.stem,
      imageName: e.imageName,
      imagePath: e.imagePath,
      boxes: e.boxes.length,
      ...(e.labelPath === undefined ? {} : { labelPath: e.labelPath }),
      ...(e.labelChanged ? { rewrite: e.boxes } : {}),
    });
  }

  groupSizes(): Map<string, number> {
    const m = new Map<string, number>();
    for (const it of this.items) {
      const k = sourceStem(it.stem);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  }

  /** Subset of every item. */
  plan(fractions: SplitFractions, seed: number): { item: SplitItem; subset: Subset }[] {
    const groups = assignGroups(this.groupSizes(), fractions, seed);
    return this.items.map((item) => ({ item, subset: groups.get(sourceStem(item.stem))! }));
  }
}
