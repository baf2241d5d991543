/**
 * The host's open dataset folders: indexes them, answers queries, saves labels (revision-checked,
 * atomic) and watches each labels/ folder so edits made elsewhere reach every renderer.
 */
import { createHash } from "node:crypto";
import { watch, type FSWatcher } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ClassCatalog } from "../../core/classes.js";
import { formatLabels, parseLabels, writeFileAtomic } from "../../core/labels.js";
import type { Box } from "../contract/common.js";
import type {
  DatasetFilter,
  DatasetFolder,
  DatasetItem,
  DatasetPage,
  DatasetStats,
} from "../contract/dataset.js";
import { conflict, HostError, notFound, usage } from "../errors.js";
import {
  buildIndex,
  folderInfo,
  folderShape,
  labelData,
  readImage,
  readLabel,
  revisionOf,
  splitDirs,
} from "./dataset-build.js";
import type { DatasetIndex } from "./dataset-index.js";

const WATCH_DEBOUNCE_MS = 250;

export interface DatasetServiceOptions {
  readonly root: string;
  readonly catalog: ClassCatalog;
  readonly imgsz: number;
  readonly tinyBoxPx: number;
  /** A label file changed under an open folder. */
  readonly onChanged: (folder: string, keys: string[]) => void;
}

interface OpenFolder {
  readonly index: DatasetIndex;
  readonly watchers: FSWatcher[];
  /** Splits whose labels/ is watched ("" for a flat folder). */
  readonly watched: Set<string>;
  readonly pending: Set<string>;
  timer?: NodeJS.Timeout;
}

export function folderId(path: string): string {
  return createHash("sha1").update(path).digest("hex").slice(0, 12);
}

export class DatasetService {
  private readonly open = new Map<string, OpenFolder>();
  private readonly opening = new Map<string, Promise<DatasetIndex>>();

  constructor(private readonly o: DatasetServiceOptions) {}

  /** The root's folders that hold a dataset: data, data-seed, data-processed, datasets/*. */
  async folders(): Promise<DatasetFolder[]> {
    const root = this.o.root;
    const candidates = ["data", "data-seed", "data-processed"].map((n) => join(root, n));
    const datasets = join(root, "datasets");
    const names = await readdir(datasets, { withFileTypes: true }).catch(() => []);
    for (const e of names
      .filter((d) => d.isDirectory() && !d.name.startsWith("."))
      .sort((a, b) => (a.name < b.name ? -1 : 1)))
      candidates.push(join(datasets, e.name));
    const out: DatasetFolder[] = [];
    for (const path of candidates) {
      const shape = await folderShape(path);
      if (!shape) continue;
      const id = folderId(path);
      out.push(this.open.get(id)?.index.info() ?? folderInfo(path, shape, id, root));
    }
    return out;
  }

  /** Index a folder (once; a second open of the same path re-indexes it). */
  async openFolder(path: string): Promise<DatasetFolder> {
    const dir = resolve(path);
    const id = folderId(dir);
    const running = this.opening.get(id);
    if (running) return (await running).info();
    const shape = await folderShape(dir);
    if (!shape)
      throw usage(
        `${dir} is not a dataset folder: it has no images/ folder, nor split folders (train/, valid/, ...) with one`,
      );
    const job = buildIndex(dir, shape, { id, root: this.o.root, catalog: this.o.catalog });
    this.opening.set(id, job);
    try {
      const index = await job;
      this.close(id);
      const entry: OpenFolder = { index, watchers: [], watched: new Set(), pending: new Set() };
      this.open.set(id, entry);
      for (const split of index.splits) this.watchSplit(entry, split);
      return index.info();
    } finally {
      this.opening.delete(id);
    }
  }

  /** An open folder by id or path. */
  get(folder: string): DatasetIndex {
    const f = this.open.get(folder) ?? this.open.get(folderId(resolve(folder)));
    if (!f) throw notFound(`dataset folder ${folder} is not open (call dataset.open with its path first)`);
    return f.index;
  }

  /** Paths of every open folder (the media routes serve files under them). */
  openPaths(): string[] {
    return [...this.open.values()].map((f) => f.index.folder.path);
  }

  query(folder: string, filter: DatasetFilter, offset: number, limit: number): DatasetPage {
    return this.get(folder).query(filter, offset, limit);
  }

  stats(folder: string, filter: DatasetFilter, imgsz?: number): DatasetStats {
    return this.get(folder).stats(filter, imgsz ?? this.o.imgsz, this.o.tinyBoxPx);
  }

  item(folder: string, key: string): DatasetItem {
    const index = this.get(folder);
    return index.item(this.slot(index, key));
  }

  /** Absolute path of an item's image. */
  imagePath(folder: string, key: string): string {
    const index = this.get(folder);
    const i = this.slot(index, key);
    return join(splitDirs(index.folder.path, index.splitName(i)).images, index.fileOf(i));
  }

  async saveLabels(
    folder: string,
    key: string,
    boxes: readonly Box[],
    revision: string,
  ): Promise<DatasetItem> {
    const index = this.get(folder);
    const i = this.slot(index, key);
    const dirs = splitDirs(index.folder.path, index.splitName(i));
    const file = join(dirs.labels, `${index.stemOf(i)}.txt`);
    boxes.forEach((b, k) => {
      const why = this.o.catalog.whyInvalid(b.cls);
      if (why !== undefined) throw new HostError("data", `boxes[${k}].cls: ${why}`);
      if (!(b.w > 0)) throw new HostError("data", `boxes[${k}].w: ${b.w} must be greater than 0`);
      if (!(b.h > 0)) throw new HostError("data", `boxes[${k}].h: ${b.h} must be greater than 0`);
    });
    const text = formatLabels(boxes.map((b) => ({ classId: b.cls, cx: b.cx, cy: b.cy, w: b.w, h: b.h })));
    const parsed = parseLabels(text, file, this.o.catalog);
    const bad = parsed.problems.find((p) => p.severity === "error");
    if (bad) throw new HostError("data", `${file}:${bad.line ?? ""}: ${bad.message}`);
    const current = revisionOf(await readFile(file).catch(() => undefined));
    if (current !== revision)
      throw conflict(
        `${file} changed since it was read (revision ${revision}, now ${current}); reload the image and edit again`,
      );
    await writeFileAtomic(file, text);
    const entry = this.open.get(index.folder.id);
    if (entry) this.watchSplit(entry, index.splitName(i));
    const img = await readImage(join(dirs.images, index.fileOf(i)));
    index.set(i, labelData(img, { ...parsed, revision: revisionOf(Buffer.from(text)) }));
    this.o.onChanged(index.folder.id, [key]);
    return index.item(i);
  }

  close(id: string): void {
    const f = this.open.get(id);
    if (!f) return;
    for (const w of f.watchers) w.close();
    if (f.timer) clearTimeout(f.timer);
    this.open.delete(id);
  }

  closeAll(): void {
    for (const id of [...this.open.keys()]) this.close(id);
  }

  private slot(index: DatasetIndex, key: string): number {
    const i = index.indexOf(key);
    if (i === undefined) throw notFound(`no image "${key}" in ${index.folder.path}`);
    return i;
  }

  /** Watch a split's labels/ (once; a folder that does not exist yet is watched after the first save). */
  private watchSplit(entry: OpenFolder, split: string): void {
    if (entry.watched.has(split)) return;
    const labels = splitDirs(entry.index.folder.path, split).labels;
    let w: FSWatcher;
    try {
      w = watch(labels, { persistent: false }, (_event, name) => {
        if (typeof name !== "string" || !name.endsWith(".txt")) return;
        entry.pending.add(split === "" ? name.slice(0, -4) : `${split}/${name.slice(0, -4)}`);
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = setTimeout(() => void this.refresh(entry), WATCH_DEBOUNCE_MS);
      });
    } catch {
      return;
    }
    entry.watched.add(split);
    w.on("error", () => {
      w.close();
      entry.watched.delete(split);
    });
    entry.watchers.push(w);
  }

  /** Re-read the label files the watcher named; push the keys whose content changed. */
  private async refresh(entry: OpenFolder): Promise<void> {
    const keys = [...entry.pending];
    entry.pending.clear();
    const { index } = entry;
    const changed: string[] = [];
    for (const key of keys) {
      const i = index.indexOf(key);
      if (i === undefined) continue;
      const dirs = splitDirs(index.folder.path, index.splitName(i));
      const lab = await readLabel(join(dirs.labels, `${index.stemOf(i)}.txt`), this.o.catalog);
      if (lab.revision === index.revisionOf(i)) continue;
      index.set(i, labelData(await readImage(join(dirs.images, index.fileOf(i))), lab));
      changed.push(key);
    }
    if (changed.length > 0 && this.open.get(index.folder.id) === entry)
      this.o.onChanged(index.folder.id, changed);
  }
}
