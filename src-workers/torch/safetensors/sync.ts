/** safetensors, synchronous API: the same as the async one without awaits. */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
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

export interface SafetensorsFileSync {
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly names: readonly string[];
  has(name: string): boolean;
  info(name: string): SafetensorsTensorInfo;
  load(name: string, opts?: LoadOptions): Tensor;
  close(): void;
}

export function openSafetensorsSync(path: string): SafetensorsFileSync {
  checkHost();
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    checkSize(path, size);
    const prefix = Buffer.alloc(8);
    readFullySync(path, fd, prefix, 0, size);
    const n = headerLength(path, prefix, size);
    const json = Buffer.alloc(n);
    readFullySync(path, fd, json, 8, size);
    const index = new InfoIndex(path, parseHeader(path, json, n, size - 8 - n));
    let closed = false;
    return {
      path,
      metadata: index.parsed.metadata,
      names: index.names,
      has: (name) => index.byName.has(name),
      info: (name) => index.info(name),
      load(name, opts = {}) {
        if (closed) throw new SafetensorsError(path, `load('${name}') after close()`);
        const info = index.info(name);
        const bytes = Buffer.allocUnsafe(info.byteLength);
        readFullySync(path, fd, bytes, info.fileOffset, size);
        return tensorFromBytes(info, bytes, opts.device);
      },
      close() {
        if (closed) return;
        closed = true;
        closeSync(fd);
      },
    };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function readFullySync(path: string, fd: number, into: Uint8Array, position: number, size: number): void {
  let done = 0;
  while (done < into.byteLength) {
    const n = readSync(fd, into, done, into.byteLength - done, position + done);
    if (n === 0)
      throw new SafetensorsError(
        path,
        `the file is truncated: cannot read ${into.byteLength} bytes at offset ${position} (file size ${size})`,
      );
    done += n;
  }
}

export function loadSafetensorsSync(
  path: string,
  opts: LoadOptions = {},
): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const f = openSafetensorsSync(path);
  const tensors: Record<string, Tensor> = {};
  try {
    for (const name of f.names) tensors[name] = f.load(name, opts);
  } catch (err) {
    for (const t of Object.values(tensors)) t.dispose();
    throw err;
  } finally {
    f.close();
  }
  return { tensors, metadata: { ...f.metadata } };
}

export function saveSafetensorsSync(
  path: string,
  tensors: Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>,
  metadata: Readonly<Record<string, string>> = {},
): void {
  const p = plan(path, tensors, metadata);
  const tmp = tempPath(path);
  const fd = openSync(tmp, "wx");
  let ok = false;
  try {
    let written = 0;
    for (const c of chunks(path, p)) {
      let off = 0;
      while (off < c.byteLength) off += writeSync(fd, c, off, c.byteLength - off);
      written += c.byteLength;
    }
    if (written !== p.total) throw new SafetensorsError(path, `wrote ${written} bytes, expected ${p.total}`);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    ok = true;
  } finally {
    if (!ok) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      try {
        unlinkSync(tmp);
      } catch {
        // never created or already gone
      }
    }
  }
  try {
    const d = openSync(dirname(path), "r");
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

/** The header of a file as it is written: for tests and tools (ordering, offsets, padding). */
export function safetensorsHeader(
  tensors: Readonly<Record<string, Tensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Buffer {
  return plan("(memory)", tensors, metadata).header;
}
