/**
 * Builds a DatasetIndex from a folder: a flat images/ + labels/ pair, or a split dataset whose
 * train/valid/test (any subfolder with images/) each hold such a pair. Uses the engine's folder
 * listing, image header reader and label parser, a bounded number of files at a time, so 100k
 * images index in seconds and only the compact index stays in memory.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import type { ClassCatalog } from "../../core/classes.js";
import { listFolder } from "../../core/dataset-list.js";
import { ImageFileError, readImageHeader } from "../../core/image-header.js";
import { parseLabels, type YoloBox } from "../../core/labels.js";
import { imageLabelDirs, isImageFile, stemOf, type ImageLabelDirs } from "../../core/layout.js";
import { ProblemLog, type Problem } from "../../core/problems.js";
import type { DatasetFolder } from "../contract/dataset.js";
import { DatasetIndex, type IndexRecord } from "./dataset-index.js";

/** Split folder names, in the order people read them (a data root's data/ is not a split). */
const SPLIT_ORDER = ["train", "training", "valid", "val", "validation", "test", "testing"];
/**
 * Files read between two yields to the event loop. Reads are synchronous (no thread-pool round trip
 * per read: 100k images index several times faster), in batches short enough (a few ms) that the
 * host keeps answering requests meanwhile.
 */
const BATCH = 200;

export interface FolderShape {
  readonly kind: "flat" | "split";
  /** Split names ("" once for a flat folder). */
  readonly splits: string[];
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() === true;
}

/** What a folder is, or undefined when it holds no dataset. */
export async function folderShape(dir: string): Promise<FolderShape | undefined> {
  if (await isDir(join(dir, "images"))) return { kind: "flat", splits: [""] };
  const listing = await listFolder(dir, new ProblemLog()).catch(() => undefined);
  if (!listing) return undefined;
  const splits: string[] = [];
  for (const f of listing.folders)
    if (SPLIT_ORDER.includes(f) && (await isDir(join(dir, f, "images")))) splits.push(f);
  if (splits.length === 0) return undefined;
  splits.sort((a, b) => SPLIT_ORDER.indexOf(a) - SPLIT_ORDER.indexOf(b));
  return { kind: "split", splits };
}

export function splitDirs(dir: string, split: string): ImageLabelDirs {
  return imageLabelDirs(split === "" ? dir : join(dir, split));
}

/** The label's revision: a hash of its bytes ("none" when there is no label file). */
export function revisionOf(bytes: Uint8Array | undefined): string {
  if (bytes === undefined) return "none";
  return createHash("sha1").update(bytes).digest("hex").slice(0, 16);
}

export interface LabelRead {
  readonly boxes: YoloBox[];
  readonly problems: Problem[];
  readonly revision: string;
}

/** Read and parse a label file; a missing file is a background image. */
export async function readLabel(file: string, catalog: ClassCatalog, sync = false): Promise<LabelRead> {
  let bytes: Buffer;
  try {
    bytes = sync ? readFileSync(file) : await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { boxes: [], problems: [], revision: "none" };
    return {
      boxes: [],
      problems: [{ severity: "error", file, message: `cannot read label file: ${(e as Error).message}` }],
      revision: "unreadable",
    };
  }
  const revision = revisionOf(bytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return {
      boxes: [],
      problems: [{ severity: "error", file, message: "label file is not UTF-8 text" }],
      revision,
    };
  }
  const parsed = parseLabels(text, file, catalog);
  return { boxes: parsed.boxes, problems: parsed.problems, revision };
}

export interface ImageRead {
  readonly width: number;
  readonly height: number;
  readonly problem?: Problem;
}

export async function readImage(file: string, sync = false): Promise<ImageRead> {
  try {
    const h = await readImageHeader(file, { sync });
    return { width: h.width, height: h.height };
  } catch (e) {
    const why = e instanceof ImageFileError ? e.reason : `cannot read: ${(e as Error).message}`;
    return { width: 0, height: 0, problem: { severity: "error", file, message: why } };
  }
}

/** An image's label data as the index holds it: its header and its label read together. */
export function labelData(
  img: ImageRead,
  lab: LabelRead,
): Pick<IndexRecord, "width" | "height" | "boxes" | "revision" | "problems" | "ok"> {
  const problems = [...(img.problem ? [img.problem] : []), ...lab.problems];
  return {
    width: img.width,
    height: img.height,
    boxes: lab.boxes,
    revision: lab.revision,
    problems,
    ok: problems.every((p) => p.severity !== "error"),
  };
}

/** A folder as dataset.folders lists it before it is opened; its label is its path under the root. */
export function folderInfo(
  dir: string,
  shape: FolderShape,
  id: string,
  root?: string,
): Omit<DatasetFolder, "images"> {
  const label = root && dir.startsWith(root) ? relative(root, dir) || basename(dir) : basename(dir);
  return { id, path: dir, label, kind: shape.kind, splits: shape.kind === "split" ? shape.splits : [] };
}

export interface BuildOptions {
  readonly id: string;
  readonly root?: string;
  readonly catalog: ClassCatalog;
}

export async function buildIndex(dir: string, shape: FolderShape, o: BuildOptions): Promise<DatasetIndex> {
  const index = new DatasetIndex(folderInfo(dir, shape, o.id, o.root), shape.splits, o.catalog);
  const log = new ProblemLog(200);
  const jobs: { split: number; dirs: ImageLabelDirs; stem: string; file: string; extra: Problem[] }[] = [];
  for (const [s, split] of shape.splits.entries()) {
    const dirs = splitDirs(dir, split);
    const images = (await listFolder(dirs.images, log)) ?? { files: [], folders: [] };
    const labels = (await listFolder(dirs.labels, log)) ?? { files: [], folders: [] };
    const byStem = new Map<string, string[]>();
    for (const name of images.files) {
      if (!isImageFile(name)) continue;
      const stem = stemOf(name);
      byStem.set(stem, [...(byStem.get(stem) ?? []), name]);
    }
    for (const name of labels.files) {
      if (name.endsWith(".txt") && !byStem.has(name.slice(0, -4)))
        log.error(join(dirs.labels, name), `label without an image (no images/${name.slice(0, -4)}.*)`);
    }
    for (const stem of [...byStem.keys()].sort(cmp)) {
      const names = byStem.get(stem)!.sort(cmp);
      const extra: Problem[] =
        names.length > 1
          ? [
              {
                severity: "error",
                file: join(dirs.images, names[0]!),
                message: `${names.length} images share the stem "${stem}" (${names.join(", ")}); left out of training`,
              },
            ]
          : [];
      jobs.push({ split: s, dirs, stem, file: names[0]!, extra });
    }
  }
  index.folderProblems.push(...log.kept);

  let done = 0;
  for (const j of jobs) {
    const img = await readImage(join(j.dirs.images, j.file), true);
    const lab = await readLabel(join(j.dirs.labels, `${j.stem}.txt`), o.catalog, true);
    index.add({ split: j.split, stem: j.stem, file: j.file, lasting: j.extra, ...labelData(img, lab) });
    if (++done % BATCH === 0) await new Promise((r) => setImmediate(r));
  }
  return index;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
