/**
 * Durable file changes for the queue, by group commit. core/labels.ts writeFileAtomic writes a
 * temporary file, fsyncs it and renames it over the target: durable per file, but one fsync (about
 * 4 ms here) per file, one after the other. The consumer stores its offset once per group of
 * messages instead, so a DirSync writes each file atomically (temporary file + rename, so a reader
 * never sees half a file) and defers the fsyncs to flush(), which runs them in parallel (the file
 * system folds them into a few journal commits: ~0.4 ms per file here), then fsyncs every
 * directory whose entries changed. Until flush() returns, nothing of the group is promised: the
 * offset is stored only after it, so a power cut before then replays the whole group, and each
 * message of the group rewrites its own files. (The one message that reads a stored file, one
 * without an image, is committed alone, after a flush: it never reads a file that is not durable.)
 * Single files that must be durable at once (offset.yaml) go through writeDurable: writeFileAtomic
 * (fsync, then rename) and an fsync of the folder.
 */
import { open, readdir, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../core/labels.js";

/** Parallel fsyncs at most (libuv runs four file operations at once by default). */
const PARALLEL = 16;

export class DirSync {
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();

  /** Write `file` atomically (temporary file + rename); flush() makes it durable. */
  async write(file: string, data: string | Uint8Array): Promise<void> {
    await writeFileAtomic(file, data, { fsync: false });
    this.files.add(file);
    this.dirs.add(dirname(file));
  }

  /** Remove `file` if it exists; true when it did. */
  async remove(file: string): Promise<boolean> {
    try {
      await unlink(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw e;
    }
    this.files.delete(file);
    this.dirs.add(dirname(file));
    return true;
  }

  /** fsync every written file and every touched directory: after this, all of it is on disk. */
  async flush(): Promise<void> {
    // Files and directories at once: both must be on disk before the offset moves, in no order.
    await inParallel([...this.files, ...this.dirs], fsyncFile);
    this.files.clear();
    this.dirs.clear();
  }
}

/** Write one file durably now: temporary file, fsync, rename, fsync of the folder. */
export async function writeDurable(file: string, data: string | Uint8Array): Promise<void> {
  await writeFileAtomic(file, data);
  await fsyncFile(dirname(file));
}

async function inParallel(items: string[], fn: (item: string) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}

/** fsync a file or directory by path; one that is gone meanwhile (a later message removed it) needs none. */
export async function fsyncFile(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Our temporary names: `<file>.<12 hex>.tmp`. */
const TEMP = /\.[0-9a-f]{12}\.tmp$/;

/** Remove temporaries a crash left in `dir` (only ours, by their pattern); returns how many. */
export async function sweepTemporaries(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw e;
  }
  let n = 0;
  for (const name of names) {
    if (!TEMP.test(name)) continue;
    await unlink(join(dir, name)).catch(() => undefined);
    n++;
  }
  return n;
}
