/**
 * Put a source image into an output images/ folder: a hard link when the disk allows (no copy of
 * gigabytes of imagery), else a copy. Both land under a temporary name and are renamed into place,
 * so an interrupted run never leaves half an image.
 */
import { randomBytes } from "node:crypto";
import { copyFile, link, mkdir, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";

/** "linked", "copied", or "kept" (the target exists and force is off, or it already is the source). */
export async function placeImage(
  source: string,
  target: string,
  force: boolean,
): Promise<"linked" | "copied" | "kept"> {
  const [s, t] = await Promise.all([stat(source), stat(target).catch(() => undefined)]);
  if (t && (!force || (t.ino === s.ino && t.dev === s.dev))) return "kept";
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  let how: "linked" | "copied" = "linked";
  try {
    await link(source, tmp);
  } catch {
    how = "copied";
    await copyFile(source, tmp);
  }
  try {
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  return how;
}
