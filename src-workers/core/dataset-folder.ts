/** Checks on a dataset folder (an images/ + labels/ pair) before a command reads it. */
import { opendir, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "./errors.js";
import { imageLabelDirs, isImageFile, type ImageLabelDirs } from "./layout.js";

/** The folder pair of `dir`; a UsageError when dir/images is not a folder. */
export async function datasetDirs(dir: string): Promise<ImageLabelDirs> {
  const dirs = imageLabelDirs(resolve(dir));
  const s = await stat(dirs.images).catch(() => undefined);
  if (!s?.isDirectory())
    throw new UsageError(`${resolve(dir)} is not a dataset folder: it has no images/ folder`);
  return dirs;
}

/** Whether dir/images holds at least one image (stops at the first). */
export async function hasImages(dir: string): Promise<boolean> {
  let d;
  try {
    d = await opendir(imageLabelDirs(dir).images);
  } catch {
    return false;
  }
  // Leaving the loop early closes the handle.
  for await (const e of d) if (isImageFile(e.name)) return true;
  return false;
}
