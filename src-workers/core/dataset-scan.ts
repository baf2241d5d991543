/**
 * Streaming scan of an images/ + labels/ folder pair: pairs images/<stem>.<ext> with
 * labels/<stem>.txt, reads each image header (and optionally decodes it) and parses each label,
 * a bounded number at a time. Only names are held for the whole folder, never contents, so a
 * 100k-image folder scans in little memory. Problems go to a ProblemLog; the scan never stops.
 *
 * Decisions:
 * - An image without a label file is a background image (YOLO's convention): yielded with no
 *   boxes. When the folder has label files at all, one warning counts such images (a lost label
 *   looks the same); a folder without any labels gets no warning.
 * - A label without an image, an unreadable image, two images with one stem (both), or a label
 *   with any bad line make errors; such images are yielded with ok=false so callers leave them out
 *   (Ultralytics, too, drops an image whose label has a bad row: half a label teaches background).
 */
import { join } from "node:path";
import type { ClassCatalog } from "./classes.js";
import { listFolder } from "./dataset-list.js";
import { DataError } from "./errors.js";
import { decodeCheck } from "./image-decode.js";
import { readImageHeader, type ImageHeader } from "./image-header.js";
import { ImageFileError } from "./image-reader.js";
import { readLabelFile, type YoloBox } from "./labels.js";
import { isImageFile, stemOf, type ImageLabelDirs } from "./layout.js";
import type { Problem, ProblemLog } from "./problems.js";

export interface ScanEntry {
  readonly stem: string;
  readonly imageName: string;
  readonly imagePath: string;
  /** The label file, when there is one (none: a background image). */
  readonly labelPath?: string;
  /** Undefined when the image could not be read. */
  readonly header?: ImageHeader;
  readonly boxes: readonly YoloBox[];
  /** Parsing changed boxes (clipped): a copy must be rewritten from `boxes`, not linked. */
  readonly labelChanged: boolean;
  /** False when the image or its label had an error: leave it out of datasets and statistics. */
  readonly ok: boolean;
}

export interface ScanOptions {
  readonly catalog: ClassCatalog;
  readonly log: ProblemLog;
  /** Files checked at once. */
  readonly concurrency?: number;
  /** Decode every image (slow) to catch corrupt pixel data. */
  readonly deep?: boolean;
  /** Called once the folders are listed, with the number of images to check. */
  readonly onListed?: (images: number) => void;
}

/** Images missing a label named in the closing warning. */
const EXAMPLES = 3;

export async function* scanDataset(dirs: ImageLabelDirs, opts: ScanOptions): AsyncGenerator<ScanEntry> {
  const { log, catalog } = opts;
  const imageList = await listFolder(dirs.images, log);
  if (!imageList) throw new DataError("no such folder (a dataset keeps its images in images/)", dirs.images);
  const labelList = (await listFolder(dirs.labels, log)) ?? { files: [], folders: [] };

  const byStem = new Map<string, string>();
  const duplicates = new Map<string, string[]>();
  for (const name of imageList.files) {
    if (!isImageFile(name)) {
      log.warning(join(dirs.images, name), "not an image file extension; ignored");
      continue;
    }
    const stem = stemOf(name);
    const seen = byStem.get(stem);
    if (seen === undefined) byStem.set(stem, name);
    else duplicates.set(stem, [...(duplicates.get(stem) ?? [seen]), name]);
  }
  for (const f of imageList.folders)
    log.warning(join(dirs.images, f), "subfolder not scanned (images/ is read flat)");
  for (const [stem, names] of [...duplicates].sort((a, b) => cmp(a[0], b[0]))) {
    byStem.delete(stem);
    const list = names.sort(cmp).join(", ");
    log.error(
      join(dirs.images, names[0]!),
      `${names.length} images share the stem "${stem}" (${list}); all left out`,
    );
  }

  const labelStems = new Set<string>();
  for (const name of labelList.files) {
    if (name.endsWith(".txt")) labelStems.add(name.slice(0, -4));
    else log.warning(join(dirs.labels, name), "not a .txt label file; ignored");
  }
  for (const f of labelList.folders)
    log.warning(join(dirs.labels, f), "subfolder not scanned (labels/ is read flat)");
  for (const stem of [...labelStems].sort(cmp)) {
    if (!byStem.has(stem) && !duplicates.has(stem))
      log.error(join(dirs.labels, `${stem}.txt`), "label without an image (no images/" + stem + ".*)");
  }

  const stems = [...byStem.keys()].sort(cmp);
  opts.onListed?.(stems.length);
  const unlabelled: string[] = [];
  let unlabelledCount = 0;
  const concurrency = Math.max(1, opts.concurrency ?? 32);
  const inFlight: Promise<{ entry: ScanEntry; problems: Problem[] }>[] = [];
  let next = 0;
  // Results are yielded (and their problems logged) in name order, whatever order checks finish in.
  while (next < stems.length || inFlight.length > 0) {
    while (inFlight.length < concurrency && next < stems.length) {
      const stem = stems[next++]!;
      const labelPath = labelStems.has(stem) ? join(dirs.labels, `${stem}.txt`) : undefined;
      inFlight.push(checkOne(dirs, stem, byStem.get(stem)!, labelPath, catalog, opts.deep === true));
    }
    const { entry, problems } = await inFlight.shift()!;
    log.addAll(problems);
    if (entry.labelPath === undefined && entry.ok) {
      if (unlabelled.length < EXAMPLES) unlabelled.push(entry.imageName);
      unlabelledCount++;
    }
    yield entry;
  }
  if (unlabelledCount > 0 && labelStems.size > 0) {
    const more = unlabelledCount > unlabelled.length ? ", ..." : "";
    log.warning(
      dirs.labels,
      `${unlabelledCount} image${unlabelledCount === 1 ? " has" : "s have"} no label file, counted as background (${unlabelled.join(", ")}${more})`,
    );
  }
}

async function checkOne(
  dirs: ImageLabelDirs,
  stem: string,
  imageName: string,
  labelPath: string | undefined,
  catalog: ClassCatalog,
  deep: boolean,
): Promise<{ entry: ScanEntry; problems: Problem[] }> {
  const imagePath = join(dirs.images, imageName);
  const problems: Problem[] = [];
  let header: ImageHeader | undefined;
  try {
    header = await readImageHeader(imagePath);
    if (deep) await decodeCheck(imagePath, header);
  } catch (e) {
    header = undefined;
    const why = e instanceof ImageFileError ? e.reason : `cannot read: ${(e as Error).message}`;
    problems.push({ severity: "error", file: imagePath, message: why });
  }
  let boxes: readonly YoloBox[] = [];
  let labelChanged = false;
  let labelOk = true;
  if (labelPath !== undefined) {
    const parsed = await readLabelFile(labelPath, catalog);
    problems.push(...parsed.problems);
    boxes = parsed.boxes;
    labelOk = !parsed.problems.some((p) => p.severity === "error");
    labelChanged = parsed.problems.length > 0;
  }
  const ok = header !== undefined && labelOk;
  const entry: ScanEntry = {
    stem,
    imageName,
    imagePath,
    boxes,
    labelChanged,
    ok,
    ...(labelPath === undefined ? {} : { labelPath }),
    ...(header ? { header } : {}),
  };
  return { entry, problems };
}

/** Byte-order comparison: stable across locales, unlike localeCompare. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
