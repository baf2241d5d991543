/**
 * The in-memory index of one dataset folder, compact enough for 100k images: one slot per image in
 * parallel arrays (typed arrays for numbers, a class bit mask per image for filtering), boxes as one
 * small Float32Array per image, problems only where there are any. A query is one pass over the slots.
 */
import type { ClassCatalog } from "../../core/classes.js";
import { DatasetStats } from "../../core/dataset-stats.js";
import type { ScanEntry } from "../../core/dataset-scan.js";
import type { YoloBox } from "../../core/labels.js";
import type { Box, Problem } from "../contract/common.js";
import type {
  DatasetFilter,
  DatasetFolder,
  DatasetItem,
  DatasetPage,
  DatasetStats as DatasetStatsBody,
} from "../contract/dataset.js";

/** Floats per box: class, cx, cy, w, h. */
const BOX = 5;

/** One image as the builder hands it over. */
export interface IndexRecord {
  readonly split: number;
  readonly stem: string;
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly YoloBox[];
  readonly revision: string;
  readonly problems: readonly Problem[];
  /** Problems a new label does not change (two images with one stem): kept across set(). */
  readonly lasting?: readonly Problem[];
  /** False when the image is unreadable or its label has an error (left out of statistics). */
  readonly ok: boolean;
}

export class DatasetIndex {
  private n = 0;
  private stems: string[] = [];
  private files: string[] = [];
  private splitOf = new Uint8Array(1024);
  private widths = new Uint32Array(1024);
  private heights = new Uint32Array(1024);
  private okFlags = new Uint8Array(1024);
  private boxCounts = new Uint32Array(1024);
  private masks: Uint32Array;
  private boxes: Float32Array[] = [];
  private revisions: string[] = [];
  private readonly problems = new Map<number, readonly Problem[]>();
  private readonly lasting = new Map<number, readonly Problem[]>();
  /** Lower-case stems, only for the stems that are not lower-case already (the text filter). */
  private readonly lowerStems = new Map<number, string>();
  private readonly byKey = new Map<string, number>();
  private readonly maskWords: number;
  private readonly modeMasks: Map<string, Uint32Array>;

  constructor(
    readonly folder: Omit<DatasetFolder, "images">,
    /** Split names by index ("" for a flat folder). */
    readonly splits: readonly string[],
    private readonly catalog: ClassCatalog,
    /** Problems of the folder as a whole (labels without images, duplicate stems). */
    readonly folderProblems: Problem[] = [],
  ) {
    this.maskWords = Math.ceil(catalog.slots / 32);
    this.masks = new Uint32Array(1024 * this.maskWords);
    this.modeMasks = new Map(
      catalog.modes.map((m) => [
        m.name.toLowerCase(),
        this.maskOf(catalog.baseClasses.map((b) => b.index + m.offset)),
      ]),
    );
  }

  get size(): number {
    return this.n;
  }

  info(): DatasetFolder {
    return { ...this.folder, images: this.n };
  }

  add(r: IndexRecord): void {
    if (this.n === this.splitOf.length) this.grow();
    const i = this.n++;
    this.stems.push(r.stem);
    const lower = r.stem.toLowerCase();
    if (lower !== r.stem) this.lowerStems.set(i, lower);
    this.files.push(r.file);
    this.revisions.push(r.revision);
    this.boxes.push(new Float32Array(0));
    this.splitOf[i] = r.split;
    this.byKey.set(this.keyOf(i), i);
    if (r.lasting && r.lasting.length > 0) this.lasting.set(i, r.lasting);
    this.set(i, r);
  }

  /** Replace an image's label data (after a save or a change on disk). */
  set(i: number, r: Pick<IndexRecord, "width" | "height" | "boxes" | "revision" | "problems" | "ok">): void {
    this.widths[i] = r.width;
    this.heights[i] = r.height;
    const lasting = this.lasting.get(i) ?? [];
    this.okFlags[i] = r.ok && lasting.every((p) => p.severity !== "error") ? 1 : 0;
    this.revisions[i] = r.revision;
    const b = new Float32Array(r.boxes.length * BOX);
    const mask = this.masks.subarray(i * this.maskWords, (i + 1) * this.maskWords);
    mask.fill(0);
    r.boxes.forEach((box, k) => {
      b.set([box.classId, box.cx, box.cy, box.w, box.h], k * BOX);
      if (box.classId < this.catalog.slots) mask[box.classId >>> 5]! |= 1 << (box.classId & 31);
    });
    this.boxes[i] = b;
    this.boxCounts[i] = r.boxes.length;
    if (r.problems.length + lasting.length > 0) this.problems.set(i, [...lasting, ...r.problems]);
    else this.problems.delete(i);
  }

  indexOf(key: string): number | undefined {
    return this.byKey.get(key);
  }

  keyOf(i: number): string {
    const split = this.splits[this.splitOf[i]!]!;
    return split === "" ? this.stems[i]! : `${split}/${this.stems[i]!}`;
  }

  splitName(i: number): string {
    return this.splits[this.splitOf[i]!]!;
  }

  fileOf(i: number): string {
    return this.files[i]!;
  }

  stemOf(i: number): string {
    return this.stems[i]!;
  }

  revisionOf(i: number): string {
    return this.revisions[i]!;
  }

  item(i: number): DatasetItem {
    const split = this.splitName(i);
    const b = this.boxes[i]!;
    const boxes: Box[] = [];
    for (let k = 0; k < b.length; k += BOX)
      boxes.push({
        cls: b[k]!,
        cx: clamp01(b[k + 1]!),
        cy: clamp01(b[k + 2]!),
        w: clamp01(b[k + 3]!),
        h: clamp01(b[k + 4]!),
      });
    return {
      key: this.keyOf(i),
      stem: this.stems[i]!,
      ...(split === "" ? {} : { split }),
      file: this.files[i]!,
      width: this.widths[i]!,
      height: this.heights[i]!,
      boxes,
      revision: this.revisions[i]!,
      problems: [...(this.problems.get(i) ?? [])],
    };
  }

  /** Slot numbers of the images the filter keeps, in index order. */
  match(f: DatasetFilter): Int32Array {
    const out = new Int32Array(this.n);
    let m = 0;
    const classMask = f.classes && f.classes.length > 0 ? this.maskOf(f.classes) : undefined;
    const modeMask =
      f.modes && f.modes.length > 0
        ? this.orMasks(f.modes.map((x) => this.modeMasks.get(x.toLowerCase())))
        : undefined;
    const split = f.split === undefined || f.split === "" ? -1 : this.splits.indexOf(f.split);
    if (split === -1 && f.split) return out.subarray(0, 0);
    const text = f.text ? f.text.toLowerCase() : undefined;
    const W = this.maskWords;
    for (let i = 0; i < this.n; i++) {
      if (split >= 0 && this.splitOf[i] !== split) continue;
      const c = this.boxCounts[i]!;
      if (f.minBoxes !== undefined && c < f.minBoxes) continue;
      if (f.maxBoxes !== undefined && c > f.maxBoxes) continue;
      if (f.problemsOnly && !this.problems.has(i)) continue;
      if (classMask && !this.intersects(i * W, classMask)) continue;
      if (modeMask && !this.intersects(i * W, modeMask)) continue;
      if (text !== undefined && !(this.lowerStems.get(i) ?? this.stems[i]!).includes(text)) continue;
      out[m++] = i;
    }
    return out.subarray(0, m);
  }

  query(f: DatasetFilter, offset: number, limit: number): DatasetPage {
    const hits = this.match(f);
    const items: DatasetItem[] = [];
    for (let k = offset; k < Math.min(hits.length, offset + limit); k++) items.push(this.item(hits[k]!));
    return { total: hits.length, offset, items };
  }

  stats(f: DatasetFilter, imgsz: number, tinyBoxPx: number): DatasetStatsBody {
    const stats = new DatasetStats(this.catalog, { imgsz, tinyBoxPx });
    for (const i of this.match(f)) stats.add(this.scanEntry(i));
    const j = stats.toJSON();
    return {
      images: j.images,
      boxes: j.boxes,
      emptyImages: j.emptyImages,
      imgsz: j.imgsz,
      tinyBoxPx: j.tinyBoxPx,
      tinyBoxes: j.tinyBoxes,
      table: j.table,
      sizes: j.sizes.map((s) => ({ label: s.label, from: s.from, to: s.to, count: s.count })),
    };
  }

  /** An image as the engine's statistics read it. */
  private scanEntry(i: number): ScanEntry {
    const b = this.boxes[i]!;
    const boxes: YoloBox[] = [];
    for (let k = 0; k < b.length; k += BOX)
      boxes.push({ classId: b[k]!, cx: b[k + 1]!, cy: b[k + 2]!, w: b[k + 3]!, h: b[k + 4]! });
    const ok = this.okFlags[i] === 1;
    return {
      stem: this.stems[i]!,
      imageName: this.files[i]!,
      imagePath: this.files[i]!,
      boxes,
      labelChanged: false,
      ok,
      ...(ok
        ? {
            header: {
              format: "jpeg",
              width: this.widths[i]!,
              height: this.heights[i]!,
              orientation: 1,
              bytes: 0,
            },
          }
        : {}),
    };
  }

  private maskOf(ids: readonly number[]): Uint32Array {
    const m = new Uint32Array(this.maskWords);
    for (const id of ids) if (id >= 0 && id < this.catalog.slots) m[id >>> 5]! |= 1 << (id & 31);
    return m;
  }

  private orMasks(masks: readonly (Uint32Array | undefined)[]): Uint32Array {
    const m = new Uint32Array(this.maskWords);
    for (const x of masks) if (x) for (let w = 0; w < m.length; w++) m[w]! |= x[w]!;
    return m;
  }

  private intersects(at: number, mask: Uint32Array): boolean {
    for (let w = 0; w < mask.length; w++) if ((this.masks[at + w]! & mask[w]!) !== 0) return true;
    return false;
  }

  private grow(): void {
    const cap = this.splitOf.length * 2;
    const grown = <T extends Uint8Array | Uint32Array>(a: T, make: (n: number) => T, scale = 1): T => {
      const b = make(cap * scale);
      b.set(a);
      return b;
    };
    this.splitOf = grown(this.splitOf, (k) => new Uint8Array(k));
    this.okFlags = grown(this.okFlags, (k) => new Uint8Array(k));
    this.widths = grown(this.widths, (k) => new Uint32Array(k));
    this.heights = grown(this.heights, (k) => new Uint32Array(k));
    this.boxCounts = grown(this.boxCounts, (k) => new Uint32Array(k));
    this.masks = grown(this.masks, (k) => new Uint32Array(k), this.maskWords);
  }
}

/** Float32 storage can put 1.0000001 where the file said 1. */
function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : Math.round(v * 1e6) / 1e6;
}
