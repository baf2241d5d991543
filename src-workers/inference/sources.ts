/** What `infer` was given: one video, or image files and folders of images. */
import { stat } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import { listImageFiles } from "../core/image-files.js";
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
  const files = await listImageFiles(abs);
  if (files.length === 0) throw new UsageError(`no images found in ${paths.join(", ")}`);
  return { kind: "images", files };
}
