/**
 * What `infer` was given: one video, or image files and folders of images; and the run folder its
 * results go to (new or empty, never written over).
 */
import { readdir, stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { AzaionError, UsageError } from "../core/errors.js";
import { isImageFile } from "../core/layout.js";

export const VIDEO_EXTENSIONS = [
  ".mp4",
  ".m4v",
  ".mov",
  ".mkv",
  ".webm",
  ".avi",
  ".ts",
  ".mts",
  ".m2ts",
  ".mpg",
  ".mpeg",
  ".wmv",
  ".flv",
  ".3gp",
  ".ogv",
  ".h264",
  ".h265",
  ".hevc",
] as const;

export function isVideoFile(name: string): boolean {
  return (VIDEO_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

export type Sources =
  { readonly kind: "video"; readonly file: string } | { readonly kind: "images"; readonly files: string[] };

/**
 * One file that is not an image is taken for a video (ffprobe then says whether it is one); files
 * and folders otherwise give images (a folder's images/ subfolder when it has one), sorted by name.
 */
export async function resolveSources(paths: readonly string[]): Promise<Sources> {
  const abs = paths.map((p) => resolve(p));
  const kinds = await Promise.all(
    abs.map(async (p) => {
      const st = await stat(p).catch(() => undefined);
      if (!st) throw new UsageError(`${p} does not exist`);
      return st.isDirectory() ? "dir" : isImageFile(p) ? "image" : "other";
    }),
  );
  const others = abs.filter((_, i) => kinds[i] === "other");
  if (others.length > 0) {
    if (abs.length > 1)
      throw new UsageError(
        `give one video, or images and folders of images: ${others[0]} is ${isVideoFile(others[0]!) ? "a video" : "not an image"}`,
      );
    return { kind: "video", file: abs[0]! };
  }
  const files: string[] = [];
  for (const [i, p] of abs.entries()) {
    if (kinds[i] !== "dir") {
      files.push(p);
      continue;
    }
    const sub = join(p, "images");
    const dir = (await stat(sub).catch(() => undefined))?.isDirectory() ? sub : p;
    const names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && isImageFile(e.name))
      .map((e) => e.name)
      .sort();
    files.push(...names.map((n) => join(dir, n)));
  }
  if (files.length === 0) throw new UsageError(`no images found in ${paths.join(", ")}`);
  return { kind: "images", files };
}

/** --out must be new or empty; the default is a new timestamped folder under <runs>/infer. */
export async function freshRunDir(flag: string | undefined, runs: () => string): Promise<string> {
  if (flag !== undefined) {
    const out = resolve(flag);
    const entries = await readdir(out).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return [];
      throw new UsageError(`--out ${flag}: ${e.message}`);
    });
    if (entries.length > 0)
      throw new AzaionError(
        `${out} is not empty; give --out a new folder so no results are written over`,
        "E_OVERWRITE",
      );
    return out;
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const base = join(runs(), "infer", stamp);
  for (let k = 1; ; k++) {
    const dir = k === 1 ? base : `${base}-${k}`;
    if ((await stat(dir).catch(() => undefined)) === undefined) return dir;
  }
}
