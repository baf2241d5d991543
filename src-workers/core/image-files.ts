/** The image files a command was given: files as they are, folders as their images. */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "./errors.js";
import { isImageFile } from "./layout.js";

/** Files as given, folders as their image files (sorted); a folder with images/ inside reads that. */
export async function listImageFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const st = await stat(p).catch(() => undefined);
    if (!st) throw new UsageError(`${p} does not exist`);
    if (!st.isDirectory()) {
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
  return files;
}
