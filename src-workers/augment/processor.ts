/**
 * One source image -> 8 output pairs (variant 0 = the original, 1-7 from the AugmentVariant).
 * Source problems (unreadable image, bad label line, a variant that throws) quarantine the source;
 * problems writing outputs fail this attempt only (retried on the next pass).
 *
 * Commit order, so that a crash at any instant leaves a recoverable, never a misleading, state:
 * all 16 files are written and fsynced under .augment/tmp; the record is marked pending; the old
 * outputs are removed; each pair is renamed in, label first (an image is never without its label);
 * the record gets its hash ("done") last.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ClassCatalog } from "../core/classes.js";
import { formatLabels, parseLabels, type YoloBox } from "../core/labels.js";
import { checkRaw, decode, encodeJpeg, SourceProblem, syncFile } from "./codec.js";
import type { AugmentVariant } from "./types.js";
import {
  VARIANTS,
  outputStem,
  pendingRecord,
  removeOutputs,
  sourceHash,
  unlinkIfExists,
  writeRecord,
  type AugmentPaths,
  type FileSig,
  type SourceRecord,
} from "./state.js";

export interface SourceJob {
  readonly stem: string;
  readonly imagePath: string;
  readonly labelPath: string;
  readonly seed: number;
  /** Hash of the finished record, when there is one: equal content skips the work. */
  readonly doneHash?: string | null;
  /**
   * Folder for this job's temporary files (same file system as the outputs); default .augment/tmp.
   * Work-queue workers give each job its own, so that the next attempt at a job whose worker died
   * can clear exactly that job's leftovers while other workers write theirs.
   */
  readonly tmpDir?: string;
}

export type SourceResult =
  | { readonly kind: "done"; readonly stem: string; readonly record: SourceRecord; readonly boxes: number }
  /** Content equals the finished record (only the file times changed). */
  | { readonly kind: "unchanged"; readonly stem: string; readonly record: SourceRecord }
  | {
      readonly kind: "quarantined";
      readonly stem: string;
      readonly file: string;
      readonly reason: string;
      readonly imageSig: FileSig;
      readonly labelSig: FileSig | null;
    }
  | { readonly kind: "failed"; readonly stem: string; readonly file: string; readonly reason: string }
  /** The source image disappeared before it was read. */
  | { readonly kind: "vanished"; readonly stem: string };

export async function processSource(
  job: SourceJob,
  variant: AugmentVariant,
  paths: AugmentPaths,
  catalog: ClassCatalog,
): Promise<SourceResult> {
  const { stem } = job;
  const src = await readSource(job);
  if (src === undefined) return { kind: "vanished", stem };
  const hash = sourceHash(src.image, src.label, job.seed);
  const record: SourceRecord = {
    ...pendingRecord(stem, basename(job.imagePath), job.seed, src.imageSig, src.labelSig),
    hash,
  };
  if (job.doneHash === hash) {
    await writeRecord(paths, record);
    return { kind: "unchanged", stem, record };
  }
  let outputs: Pending[];
  let boxes: readonly YoloBox[];
  try {
    boxes = parseLabelBytes(job.labelPath, src.label, catalog);
    outputs = await renderAll(job, src.image, boxes, variant, paths);
  } catch (e) {
    if (!(e instanceof SourceProblem)) throw e;
    const { imageSig, labelSig } = src;
    return { kind: "quarantined", stem, file: e.file, reason: e.message, imageSig, labelSig };
  }
  try {
    await writeRecord(paths, { ...record, hash: null });
    await removeOutputs(paths, stem);
    for (const o of outputs) {
      await rename(o.tmpLabel, o.label);
      await rename(o.tmpImage, o.image);
    }
    await writeRecord(paths, record);
  } finally {
    for (const o of outputs) {
      await unlinkIfExists(o.tmpLabel);
      await unlinkIfExists(o.tmpImage);
    }
  }
  return { kind: "done", stem, record, boxes: boxes.length };
}

/** The service wraps processSource so that no error escapes: an output error fails the attempt. */
export async function processSafely(
  job: SourceJob,
  variant: AugmentVariant,
  paths: AugmentPaths,
  catalog: ClassCatalog,
): Promise<SourceResult> {
  try {
    return await processSource(job, variant, paths, catalog);
  } catch (e) {
    return { kind: "failed", stem: job.stem, file: job.imagePath, reason: (e as Error).message };
  }
}

interface SourceBytes {
  readonly image: Buffer;
  readonly imageSig: FileSig;
  readonly label: Buffer | null;
  readonly labelSig: FileSig | null;
}

/** Image and label bytes with the size/time of exactly what was read. */
async function readSource(job: SourceJob): Promise<SourceBytes | undefined> {
  const image = await readWithSig(job.imagePath);
  if (image === undefined) return undefined;
  const label = await readWithSig(job.labelPath);
  return { image: image.data, imageSig: image.sig, label: label?.data ?? null, labelSig: label?.sig ?? null };
}

async function readWithSig(file: string): Promise<{ data: Buffer; sig: FileSig } | undefined> {
  let fh;
  try {
    fh = await open(file, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SourceProblem(file, `cannot open: ${(e as Error).message}`);
  }
  try {
    const s = await fh.stat();
    return { data: await fh.readFile(), sig: { size: s.size, mtimeMs: s.mtimeMs } };
  } finally {
    await fh.close();
  }
}

/** No label file: a background image. An empty file: no boxes. Any bad line: quarantine. */
function parseLabelBytes(file: string, bytes: Buffer | null, catalog: ClassCatalog): readonly YoloBox[] {
  if (bytes === null) return [];
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new SourceProblem(file, "label file is not UTF-8 text");
  }
  const parsed = parseLabels(text, file, catalog);
  const errors = parsed.problems.filter((p) => p.severity === "error");
  const first = errors[0];
  if (first === undefined) return parsed.boxes;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more bad lines)` : "";
  throw new SourceProblem(file, `${file}:${first.line ?? 0}: ${first.message}${more}`);
}

interface Pending {
  readonly tmpLabel: string;
  readonly tmpImage: string;
  readonly label: string;
  readonly image: string;
}

async function renderAll(
  job: SourceJob,
  bytes: Buffer,
  boxes: readonly YoloBox[],
  variant: AugmentVariant,
  paths: AugmentPaths,
): Promise<Pending[]> {
  const { raw, copyOriginal } = await decode(job.imagePath, bytes);
  const tmp = job.tmpDir ?? paths.tmp;
  await mkdir(tmp, { recursive: true });
  await mkdir(paths.images, { recursive: true });
  await mkdir(paths.labels, { recursive: true });
  const pending: Pending[] = [];
  const tag = randomBytes(6).toString("hex");
  try {
    for (let k = 0; k < VARIANTS; k++) {
      let img: Buffer;
      let text: string;
      if (k === 0) {
        img = copyOriginal ? bytes : await encodeJpeg(raw);
        text = formatLabels(boxes);
      } else {
        let out;
        try {
          out = variant(raw, boxes, job.seed, job.stem, k);
          checkRaw(out.image);
        } catch (e) {
          throw new SourceProblem(job.imagePath, `augmentation variant ${k} failed: ${(e as Error).message}`);
        }
        img = await encodeJpeg(out.image);
        text = formatLabels(out.boxes);
      }
      const name = outputStem(job.stem, k);
      const p: Pending = {
        tmpLabel: join(tmp, `${name}.${tag}.txt`),
        tmpImage: join(tmp, `${name}.${tag}.jpg`),
        label: join(paths.labels, `${name}.txt`),
        image: join(paths.images, `${name}.jpg`),
      };
      pending.push(p);
      await writeFile(p.tmpLabel, text);
      await writeFile(p.tmpImage, img);
    }
    // On disk before any rename (a power cut must not leave renamed but empty files); syncs issued
    // together share the file system's journal commits, one after another they cost a commit each.
    await Promise.all(pending.flatMap((p) => [syncFile(p.tmpLabel), syncFile(p.tmpImage)]));
  } catch (e) {
    for (const p of pending) {
      await unlinkIfExists(p.tmpLabel);
      await unlinkIfExists(p.tmpImage);
    }
    throw e;
  }
  return pending;
}
