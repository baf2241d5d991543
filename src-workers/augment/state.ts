/**
 * Where the augmentation service keeps its books, and the per-source record that makes "done"
 * detectable. Layout under the output folder (data-processed/):
 *   images/<stem>_aug<k>.jpg, labels/<stem>_aug<k>.txt   k = 0 (original) .. 7
 *   .augment/state/<stem>.json   one record per source: owns its outputs; `hash` set once all 8 pairs are in place
 *   .augment/tmp/                temporary files (same file system as images/, so rename is atomic)
 *   .augment/quarantine.json, .augment/status.json, .augment/lock
 * A record is written (pending) before any output of its source is touched and deleted only after
 * every output is gone, so after any crash each output file belongs to a record.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../core/labels.js";
import { imageLabelDirs, type ImageLabelDirs } from "../core/layout.js";
import { PIPELINE_VERSION } from "./pipeline.js";

/** 1 original + 7 augmented. */
export const VARIANTS = 8;
export const JPEG_QUALITY = 90;

export interface AugmentPaths extends ImageLabelDirs {
  readonly out: string;
  readonly meta: string;
  readonly state: string;
  readonly tmp: string;
  readonly quarantine: string;
  readonly status: string;
  readonly lock: string;
}

export function augmentPaths(out: string): AugmentPaths {
  const meta = join(out, ".augment");
  return {
    out,
    ...imageLabelDirs(out),
    meta,
    state: join(meta, "state"),
    tmp: join(meta, "tmp"),
    quarantine: join(meta, "quarantine.json"),
    status: join(meta, "status.json"),
    lock: join(meta, "lock"),
  };
}

export function outputStem(stem: string, k: number): string {
  return `${stem}_aug${k}`;
}

/** Size and modification time: a cheap "did it change?" before hashing. */
export interface FileSig {
  readonly size: number;
  readonly mtimeMs: number;
}

export interface SourceRecord {
  readonly stem: string;
  /** Source image file name in images/. */
  readonly image: string;
  readonly seed: number;
  readonly imageSig: FileSig;
  /** Null: no label file (a background image). */
  readonly labelSig: FileSig | null;
  /** Content hash of image + label + seed; null while outputs are being replaced (not done). */
  readonly hash: string | null;
  readonly time: string;
}

export async function fileSig(file: string): Promise<FileSig | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

export function sameSig(a: FileSig | null, b: FileSig | null): boolean {
  return a === null || b === null ? a === b : a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Hash of what the outputs depend on (the seed too: another seed makes other variants). */
export function sourceHash(image: Uint8Array, label: Uint8Array | null, seed: number): string {
  const h = createHash("sha256");
  h.update(`augment-v1\0pipeline-${PIPELINE_VERSION}\0${seed}\0${image.length}\0`).update(image);
  h.update(label === null ? "\0no-label" : `\0label\0${label.length}\0`);
  if (label !== null) h.update(label);
  return h.digest("hex");
}

function recordPath(p: AugmentPaths, stem: string): string {
  return join(p.state, `${stem}.json`);
}

export async function writeRecord(p: AugmentPaths, rec: SourceRecord): Promise<void> {
  await writeFileAtomic(recordPath(p, rec.stem), `${JSON.stringify(rec)}\n`);
}

/** The record of one source; null when there is none or it does not parse (then its outputs are redone). */
export async function readRecord(p: AugmentPaths, stem: string): Promise<SourceRecord | null> {
  let text: string;
  try {
    text = await readFile(recordPath(p, stem), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  try {
    return { ...(JSON.parse(text) as SourceRecord), stem };
  } catch {
    return null;
  }
}

export async function deleteRecord(p: AugmentPaths, stem: string): Promise<void> {
  await unlinkIfExists(recordPath(p, stem));
}

/** Every record on disk; unreadable ones come back as pending (their outputs get redone or removed). */
export async function loadRecords(p: AugmentPaths): Promise<Map<string, SourceRecord>> {
  const out = new Map<string, SourceRecord>();
  let names: string[];
  try {
    names = await readdir(p.state);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw e;
  }
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    const stem = name.slice(0, -5);
    try {
      const rec = JSON.parse(await readFile(join(p.state, name), "utf8")) as SourceRecord;
      out.set(stem, { ...rec, stem });
    } catch {
      out.set(stem, pendingRecord(stem, "", 0, { size: -1, mtimeMs: -1 }, null));
    }
  }
  return out;
}

export function pendingRecord(
  stem: string,
  image: string,
  seed: number,
  imageSig: FileSig,
  labelSig: FileSig | null,
): SourceRecord {
  return { stem, image, seed, imageSig, labelSig, hash: null, time: new Date().toISOString() };
}

/**
 * Remove every output of a source. Images go before labels: a reader lists images, so a moment
 * with a label and no image is harmless, while an image without its label would read as background.
 */
export async function removeOutputs(p: AugmentPaths, stem: string): Promise<number> {
  let removed = 0;
  for (let k = 0; k < VARIANTS; k++)
    if (await unlinkIfExists(join(p.images, `${outputStem(stem, k)}.jpg`))) removed++;
  for (let k = 0; k < VARIANTS; k++) await unlinkIfExists(join(p.labels, `${outputStem(stem, k)}.txt`));
  return removed;
}

export async function unlinkIfExists(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
}
