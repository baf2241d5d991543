/** safetensors, asynchronous API: lazy reading by offset, whole-file load and atomic save. */
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import type { Tensor } from "../tensor.js";
import {
  InfoIndex,
  type LoadOptions,
  SafetensorsError,
  type SafetensorsTensorInfo,
  checkHost,
  checkSize,
  chunks,
  headerLength,
  parseHeader,
  plan,
  tempPath,
  tensorFromBytes,
} from "./format.js";

/** An open safetensors file: header parsed, tensors read on demand. */
export interface SafetensorsFile {
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensor names in file (data-offset) order. */
  readonly names: readonly string[];
  has(name: string): boolean;
  info(name: string): SafetensorsTensorInfo;
  /** Read one tensor (a new tensor, in the current scope). */
  load(name: string, opts?: LoadOptions): Promise<Tensor>;
  close(): Promise<void>;
}

/** Open a file: read and validate its header only. */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  checkHost();
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    checkSize(path, size);
    const prefix = Buffer.alloc(8);
    await readFullyAsync(path, fh, prefix, 0, size);
    const n = headerLength(path, prefix, size);
    const json = Buffer.alloc(n);
    await readFullyAsync(path, fh, json, 8, size);
    const index = new InfoIndex(path, parseHeader(path, json, n, size - 8 - n));
    let closed = false;
    return {
      path,
      metadata: index.parsed.metadata,
      names: index.names,
      has: (name) => index.byName.has(name),
      info: (name) => index.info(name),
      async load(name, opts = {}) {
        if (closed) throw new SafetensorsError(path, `load('${name}') after close()`);
        const info = index.info(name);
        const bytes = Buffer.allocUnsafe(info.byteLength);
        await readFullyAsync(path, fh, bytes, info.fileOffset, size);
        return tensorFromBytes(info, bytes, opts.device);
      },
      async close() {
        if (closed) return;
        closed = true;
        await fh.close();
      },
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

async function readFullyAsync(
  path: string,
  fh: FileHandle,
  into: Uint8Array,
  position: number,
  size: number,
): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    const { bytesRead } = await fh.read(into, done, into.byteLength - done, position + done);
    if (bytesRead === 0)
      throw new SafetensorsError(
        path,
        `the file is truncated: cannot read ${into.byteLength} bytes at offset ${position} (file size ${size})`,
      );
    done += bytesRead;
  }
}

/** All tensors and the metadata of a file. */
export async function loadSafetensors(
  path: string,
  opts: LoadOptions = {},
): Promise<{ tensors: Record<string, Tensor>; metadata: Record<string, string> }> {
  const f = await openSafetensors(path);
  const tensors: Record<string, Tensor> = {};
  try {
    for (const name of f.names) tensors[name] = await f.load(name, opts);
  } catch (err) {
    for (const t of Object.values(tensors)) t.dispose();
    throw err;
  } finally {
    await f.close();
  }
  return { tensors, metadata: { ...f.metadata } };
}

/**
 * Write tensors (and string metadata) to path atomically: temp file in the same folder, written
 * tensor by tensor, fsync, rename. The tensors are only read.
 */
export async function saveSafetensors(
  path: string,
  tensors: Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  const p = plan(path, tensors, metadata);
  const tmp = tempPath(path);
  const fh = await open(tmp, "wx");
  let ok = false;
  try {
    let written = 0;
    for (const c of chunks(path, p)) {
      let off = 0;
      while (off < c.byteLength) {
        const { bytesWritten } = await fh.write(c, off, c.byteLength - off);
        off += bytesWritten;
      }
      written += c.byteLength;
    }
    if (written !== p.total) throw new SafetensorsError(path, `wrote ${written} bytes, expected ${p.total}`);
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
    ok = true;
  } finally {
    if (!ok) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    }
  }
  await syncDirAsync(dirname(path));
}

async function syncDirAsync(dir: string): Promise<void> {
  try {
    const d = await open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
