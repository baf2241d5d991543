/**
 * Dataset statistics, gathered one scan entry at a time (constant memory but for one counter per
 * source group): images, boxes, empty images, boxes per class x weather mode, box sizes in pixels
 * at the training image size, and images per source group (an image and its augmented copies).
 */
import type { ClassCatalog } from "./classes.js";
import type { ScanEntry } from "./dataset-scan.js";
import { sourceStem } from "./layout.js";

export interface StatsOptions {
  /** Training image size: the long side of every image is scaled to it (as Ultralytics does). */
  readonly imgsz: number;
  /** Boxes smaller than this many pixels (sqrt(w*h) at imgsz) are counted as tiny. */
  readonly tinyBoxPx: number;
}

export interface SizeBin {
  readonly label: string;
  /** Pixels, inclusive. */
  readonly from: number;
  /** Pixels, exclusive; null for the open last bin. */
  readonly to: number | null;
  readonly count: number;
}

export interface StatsJson {
  readonly imgsz: number;
  readonly images: number;
  readonly emptyImages: number;
  readonly leftOut: number;
  readonly boxes: number;
  readonly tinyBoxPx: number;
  readonly tinyBoxes: number;
  /** Boxes per used slot. */
  readonly classes: { id: number; name: string; base: string; mode: string; boxes: number }[];
  /** Rows = base classes, columns = modes. */
  readonly table: {
    modes: string[];
    rows: { name: string; counts: number[]; total: number }[];
    totals: number[];
    total: number;
  };
  readonly sizes: SizeBin[];
  /** groups: source groups; sizes: images per group -> number of groups. */
  readonly groups: { count: number; sizes: Record<string, number> };
}

/** Lower edges of the size bins: 8, 16, 32, ... below imgsz; a box sits in the last edge <= its size. */
export function sizeEdges(imgsz: number): number[] {
  const edges = [8];
  while (edges[edges.length - 1]! * 2 < imgsz) edges.push(edges[edges.length - 1]! * 2);
  return edges;
}

export class DatasetStats {
  images = 0;
  emptyImages = 0;
  leftOut = 0;
  boxes = 0;
  tinyBoxes = 0;
  readonly perSlot: number[];
  readonly edges: number[];
  /** sizeCounts[0] is below edges[0]; sizeCounts[k+1] from edges[k]. */
  readonly sizeCounts: number[];
  private readonly groups = new Map<string, number>();

  constructor(
    private readonly catalog: ClassCatalog,
    readonly opts: StatsOptions,
  ) {
    this.perSlot = new Array<number>(catalog.slots).fill(0);
    this.edges = sizeEdges(opts.imgsz);
    this.sizeCounts = new Array<number>(this.edges.length + 1).fill(0);
  }

  add(entry: ScanEntry): void {
    if (!entry.ok || !entry.header) {
      this.leftOut++;
      return;
    }
    this.images++;
    const key = sourceStem(entry.stem);
    this.groups.set(key, (this.groups.get(key) ?? 0) + 1);
    if (entry.boxes.length === 0) this.emptyImages++;
    const { width, height } = entry.header;
    const scale = this.opts.imgsz / Math.max(width, height);
    for (const b of entry.boxes) {
      this.boxes++;
      this.perSlot[b.classId] = (this.perSlot[b.classId] ?? 0) + 1;
      const px = Math.sqrt(b.w * width * scale * (b.h * height * scale));
      if (px < this.opts.tinyBoxPx) this.tinyBoxes++;
      let bin = 0;
      while (bin < this.edges.length && px >= this.edges[bin]!) bin++;
      this.sizeCounts[bin]!++;
    }
  }

  toJSON(): StatsJson {
    const c = this.catalog;
    const modes = c.modes.map((m) => m.name);
    const rows = c.baseClasses.map((b) => {
      const counts = c.modes.map((m) => this.perSlot[b.index + m.offset] ?? 0);
      return { name: b.name, counts, total: sum(counts) };
    });
    const totals = c.modes.map((_, k) => sum(rows.map((r) => r.counts[k]!)));
    const sizes: SizeBin[] = this.sizeCounts.map((count, k) => {
      const from = k === 0 ? 0 : this.edges[k - 1]!;
      const to = k < this.edges.length ? this.edges[k]! : null;
      const label = k === 0 ? `<${to}` : to === null ? `>=${from}` : `${from}-${to}`;
      return { label, from, to, count };
    });
    const groupSizes = new Map<number, number>();
    for (const n of this.groups.values()) groupSizes.set(n, (groupSizes.get(n) ?? 0) + 1);
    return {
      imgsz: this.opts.imgsz,
      images: this.images,
      emptyImages: this.emptyImages,
      leftOut: this.leftOut,
      boxes: this.boxes,
      tinyBoxPx: this.opts.tinyBoxPx,
      tinyBoxes: this.tinyBoxes,
      classes: c.usedIds().map((id) => {
        const s = c.slot(id);
        return {
          id,
          name: s.displayName,
          base: s.base.name,
          mode: s.mode.name,
          boxes: this.perSlot[id] ?? 0,
        };
      }),
      table: { modes, rows, totals, total: sum(totals) },
      sizes,
      groups: {
        count: this.groups.size,
        sizes: Object.fromEntries(
          [...groupSizes].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v]),
        ),
      },
    };
  }
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

const BAR = 40;

/** The statistics as aligned text for a terminal. */
export function renderStats(s: StatsJson): string {
  const lines: string[] = [];
  const groupText = Object.entries(s.groups.sizes)
    .map(([size, n]) => `${n} group${n === 1 ? "" : "s"} of ${size}`)
    .join(", ");
  lines.push(`Images         ${s.images} (empty ${s.emptyImages}, left out ${s.leftOut})`);
  lines.push(`Boxes          ${s.boxes} (tiny, under ${s.tinyBoxPx} px at ${s.imgsz}: ${s.tinyBoxes})`);
  lines.push(`Source groups  ${s.groups.count}${groupText ? ` (${groupText})` : ""}`);
  lines.push("", "Boxes per class and weather mode");
  const nameW = Math.max(5, ...s.table.rows.map((r) => r.name.length));
  const cols = [...s.table.modes, "Total"];
  const colW = Math.max(6, ...cols.map((m) => m.length), String(s.table.total).length) + 1;
  const row = (name: string, nums: readonly (number | string)[]) =>
    name.padEnd(nameW) + nums.map((n) => String(n).padStart(colW)).join("");
  lines.push(row("Class", cols));
  for (const r of s.table.rows) lines.push(row(r.name, [...r.counts, r.total]));
  lines.push(row("Total", [...s.table.totals, s.table.total]));
  lines.push("", `Box sizes at imgsz ${s.imgsz} (sqrt(w*h), px)`);
  const max = Math.max(1, ...s.sizes.map((b) => b.count));
  const labelW = Math.max(...s.sizes.map((b) => b.label.length));
  const countW = Math.max(...s.sizes.map((b) => String(b.count).length));
  for (const b of s.sizes) {
    const bar = "█".repeat(b.count > 0 ? Math.max(1, Math.round((b.count / max) * BAR)) : 0);
    lines.push(`  ${b.label.padEnd(labelW)} ${String(b.count).padStart(countW)} ${bar}`.trimEnd());
  }
  return `${lines.join("\n")}\n`;
}
