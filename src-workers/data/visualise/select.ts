/**
 * Which images go on the sheet: class / weather-mode filters over the boxes, then a seeded sample
 * so the same arguments always draw the same sheet.
 */
import { stat } from "node:fs/promises";
import type { ClassCatalog } from "../../core/classes.js";
import { UsageError } from "../../core/errors.js";
import { readLabelFile, type YoloBox } from "../../core/labels.js";
import type { Problem } from "../../core/problems.js";
import { mapLimit } from "./pool.js";
import type { ImageEntry } from "./source.js";
import { mulberry32 } from "../../core/random.js";

export interface BoxFilter {
  /** Base class indices matched in any mode. */
  readonly bases: ReadonlySet<number>;
  /** Exact slot ids (from display names such as "Truck (Night)"). */
  readonly slots: ReadonlySet<number>;
  readonly modes: ReadonlySet<number>;
  /** False when no filter was given: every box matches. */
  readonly active: boolean;
}

export function buildFilter(
  catalog: ClassCatalog,
  classNames: readonly string[],
  modeNames: readonly string[],
): BoxFilter {
  const bases = new Set<number>();
  const slots = new Set<number>();
  const modes = new Set<number>();
  for (const name of classNames) {
    const base = catalog.findBase(name);
    if (base) {
      bases.add(base.index);
      continue;
    }
    // resolveName falls back to a base class in Norm; base names were handled above, so this is a display name.
    const id = catalog.resolveName(name);
    if (id === undefined) {
      throw new UsageError(
        `unknown class "${name}" (a base class such as ${catalog.baseClasses[1]?.name ?? "Truck"}, or a display name such as "${catalog.slot(catalog.usedIds().at(-1) ?? 0).displayName}")`,
      );
    }
    slots.add(id);
  }
  for (const name of modeNames) {
    const mode = catalog.findMode(name);
    if (!mode)
      throw new UsageError(
        `unknown weather mode "${name}" (known: ${catalog.modes.map((m) => m.name).join(", ")})`,
      );
    modes.add(mode.index);
  }
  return { bases, slots, modes, active: classNames.length + modeNames.length > 0 };
}

export function boxMatches(filter: BoxFilter, catalog: ClassCatalog, classId: number): boolean {
  if (!filter.active) return true;
  if (!catalog.isUsed(classId)) return false;
  const slot = catalog.slot(classId);
  const classOk =
    (filter.bases.size === 0 && filter.slots.size === 0) ||
    filter.bases.has(slot.base.index) ||
    filter.slots.has(classId);
  const modeOk = filter.modes.size === 0 || filter.modes.has(slot.mode.index);
  return classOk && modeOk;
}

/** n items picked by seed, kept in their original order (so the sheet reads in name order). */
export function seededSample<T>(items: readonly T[], n: number, seed: number): T[] {
  if (items.length <= n) return [...items];
  const rand = mulberry32(seed);
  const idx = items.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => items[i]!);
}

export interface LoadedItem extends ImageEntry {
  readonly boxes: readonly YoloBox[];
  readonly problems: readonly Problem[];
  readonly hasLabel: boolean;
}

export async function loadLabels(entry: ImageEntry, catalog: ClassCatalog): Promise<LoadedItem> {
  const exists = await stat(entry.label).then(
    (s) => s.isFile(),
    () => false,
  );
  // No label file is a background image in YOLO, not a fault.
  if (!exists) return { ...entry, boxes: [], problems: [], hasLabel: false };
  const parsed = await readLabelFile(entry.label, catalog);
  return { ...entry, boxes: parsed.boxes, problems: parsed.problems, hasLabel: true };
}

export interface Selection {
  readonly items: readonly LoadedItem[];
  /** Images that passed the filters (before sampling). */
  readonly matched: number;
}

const LABEL_READS = 32;

export async function selectItems(
  entries: readonly ImageEntry[],
  catalog: ClassCatalog,
  filter: BoxFilter,
  max: number,
  seed: number,
): Promise<Selection> {
  if (!filter.active) {
    // Without a filter, only the sampled images need their labels read.
    const picked = seededSample(entries, max, seed);
    return {
      items: await mapLimit(picked, LABEL_READS, (e) => loadLabels(e, catalog)),
      matched: entries.length,
    };
  }
  const all = await mapLimit(entries, LABEL_READS, (e) => loadLabels(e, catalog));
  const matching = all.filter((it) => it.boxes.some((b) => boxMatches(filter, catalog, b.classId)));
  return { items: seededSample(matching, max, seed), matched: matching.length };
}
