/**
 * Where the images come from: an images/ + labels/ folder, or a split dataset
 * (data.yaml beside train/ valid/ test/, each an images/ + labels/ pair).
 */
import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../../core/errors.js";
import { imageLabelDirs, isImageFile, labelPathFor } from "../../core/layout.js";

export const SPLITS = ["train", "valid", "test"] as const;
export type Split = (typeof SPLITS)[number];

export interface ImageEntry {
  readonly image: string;
  readonly label: string;
  /** File name of the image, as shown under its tile. */
  readonly name: string;
  readonly split?: Split;
}

export interface SourceListing {
  readonly kind: "folder" | "dataset";
  readonly path: string;
  /** Splits read (dataset only). */
  readonly splits: readonly Split[];
  /** Images in a stable order: by split, then by name. */
  readonly entries: readonly ImageEntry[];
}

export function isDatasetDir(dir: string): boolean {
  return existsSync(join(dir, "data.yaml")) && SPLITS.some((s) => existsSync(join(dir, s, "images")));
}

/** List a source folder. `splits` (dataset only) picks subsets; by default every subset present. */
export async function listSource(path: string, splits?: readonly Split[]): Promise<SourceListing> {
  if (!existsSync(path)) throw new UsageError(`source ${path} does not exist`);
  if (!statSync(path).isDirectory()) throw new UsageError(`source ${path} is not a folder`);
  if (isDatasetDir(path)) {
    const present = SPLITS.filter((s) => existsSync(join(path, s, "images")));
    const wanted = splits && splits.length > 0 ? splits : present;
    const missing = wanted.filter((s) => !present.includes(s));
    if (missing.length > 0) {
      throw new UsageError(
        `dataset ${path} has no ${missing.join(", ")} subset (it has ${present.join(", ")})`,
      );
    }
    const entries: ImageEntry[] = [];
    for (const split of wanted) entries.push(...(await listFolder(join(path, split), split)));
    return { kind: "dataset", path, splits: wanted, entries };
  }
  if (!existsSync(join(path, "images"))) {
    throw new UsageError(
      `source ${path} has neither an images/ folder nor a data.yaml with train/valid/test subsets`,
    );
  }
  if (splits && splits.length > 0) {
    throw new UsageError(
      `--split needs a dataset folder (data.yaml with train/valid/test); ${path} is a plain images/ + labels/ folder`,
    );
  }
  return { kind: "folder", path, splits: [], entries: await listFolder(path) };
}

async function listFolder(dir: string, split?: Split): Promise<ImageEntry[]> {
  const dirs = imageLabelDirs(dir);
  const found = await readdir(dirs.images, { withFileTypes: true });
  return found
    .filter((d) => (d.isFile() || d.isSymbolicLink()) && isImageFile(d.name))
    .map((d) => d.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({
      image: join(dirs.images, name),
      label: labelPathFor(dirs, name),
      name,
      ...(split ? { split } : {}),
    }));
}
