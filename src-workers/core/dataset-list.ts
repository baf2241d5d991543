/**
 * Folder listing for the dataset scan. Names are read as bytes (encoding "buffer"): a name that
 * is not UTF-8 would otherwise be decoded lossily into a path that does not exist, so it is
 * reported (bytes escaped) and skipped instead.
 */
import { opendir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ProblemLog } from "./problems.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A byte name printable: ASCII as is, every other byte as \xNN. */
export function escapeName(name: Buffer): string {
  return [...name]
    .map((b) =>
      b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`,
    )
    .join("");
}

export interface FolderListing {
  /** Plain files (and links to files), by UTF-8 name, in no particular order. */
  readonly files: string[];
  readonly folders: string[];
}

/** The entries of a folder, or undefined when it does not exist. Hidden (dot) files are left out. */
export async function listFolder(dir: string, log: ProblemLog): Promise<FolderListing | undefined> {
  let handle;
  try {
    // The typings allow only text encodings; Node accepts "buffer" and then yields Buffer names.
    handle = await opendir(dir, { encoding: "buffer" as BufferEncoding, bufferSize: 256 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const files: string[] = [];
  const folders: string[] = [];
  for await (const entry of handle) {
    const raw = entry.name as unknown as Buffer;
    let name: string;
    try {
      name = utf8.decode(raw);
    } catch {
      log.error(join(dir, escapeName(raw)), "file name is not valid UTF-8; skipped (rename the file)");
      continue;
    }
    if (name.startsWith(".")) continue;
    if (entry.isFile()) files.push(name);
    else if (entry.isDirectory()) folders.push(name);
    else if (entry.isSymbolicLink()) {
      const s = await stat(join(dir, name)).catch(() => undefined);
      if (s?.isDirectory()) folders.push(name);
      else files.push(name); // a broken link shows up as an unreadable image later
    }
  }
  return { files, folders };
}
