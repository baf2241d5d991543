/**
 * A small zip reader for torch.save files: the central directory is parsed once, entries are read
 * by name on demand (STORED or DEFLATE, ZIP64 sizes and offsets), and every read is checked against
 * its CRC-32. Errors name the file (DataError).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import * as zlib from "node:zlib";
import { DataError } from "../../core/errors.js";

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

let table: Uint32Array | undefined;
/** zlib.crc32 arrived in Node 20.15; the table version covers older 20.x. */
function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (native) return native(data) >>> 0;
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const b of data) c = table[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export class ZipReader {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly size: number,
    readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  /** Open a zip file and read its central directory. */
  static open(path: string): ZipReader {
    const fd = openSync(path, "r");
    try {
      const size = fstatSync(fd).size;
      return new ZipReader(path, fd, size, readDirectory(path, fd, size));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  entry(name: string): ZipEntry {
    const e = this.entries.get(name);
    if (!e) throw new DataError(`the zip archive has no entry '${name}'`, this.path);
    return e;
  }

  /** The uncompressed bytes of one entry, CRC-checked. */
  read(name: string): Buffer {
    if (this.closed) throw new DataError(`read('${name}') after close()`, this.path);
    const e = this.entry(name);
    const local = readAt(this.path, this.fd, e.localHeaderOffset, 30, this.size);
    if (local.readUInt32LE(0) !== SIG_LOCAL)
      throw new DataError(`entry '${name}': no local file header at byte ${e.localHeaderOffset}`, this.path);
    const start = e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = readAt(this.path, this.fd, start, e.compressedSize, this.size);
    let data: Buffer;
    if (e.method === 0) data = raw;
    else if (e.method === 8) {
      try {
        data = zlib.inflateRawSync(raw);
      } catch (err) {
        throw new DataError(`entry '${name}': corrupt deflate data (${(err as Error).message})`, this.path);
      }
    } else throw new DataError(`entry '${name}': unsupported compression method ${e.method}`, this.path);
    if (data.length !== e.size)
      throw new DataError(`entry '${name}': ${data.length} bytes, the directory says ${e.size}`, this.path);
    const crc = crc32(data);
    if (crc !== e.crc32)
      throw new DataError(
        `entry '${name}': CRC mismatch (0x${crc.toString(16)}, expected 0x${e.crc32.toString(16)}): the file is corrupt`,
        this.path,
      );
    return data;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

function readAt(path: string, fd: number, position: number, length: number, size: number): Buffer {
  if (position + length > size)
    throw new DataError(
      `truncated: needs bytes [${position}, ${position + length}) but the file has ${size}`,
      path,
    );
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new DataError(`truncated: cannot read ${length} bytes at ${position}`, path);
    done += n;
  }
  return buf;
}

function u64(buf: Buffer, at: number, path: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DataError(`zip64 value ${v} is too large`, path);
  return Number(v);
}

function readDirectory(path: string, fd: number, size: number): Map<string, ZipEntry> {
  const head = readAt(path, fd, 0, Math.min(size, 4), size);
  const looksZip = head.length === 4 && head.readUInt32LE(0) === SIG_LOCAL;
  if (size < EOCD_SIZE)
    throw new DataError(`${looksZip ? "truncated zip" : "not a zip"} file (${size} bytes)`, path);
  const tailLen = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tail = readAt(path, fd, size - tailLen, tailLen, size);
  let at = -1;
  for (let i = tailLen - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0)
    throw new DataError(
      looksZip ? "truncated zip file (no end of central directory)" : "not a zip file",
      path,
    );
  const eocdPos = size - tailLen + at;
  let count = tail.readUInt16LE(at + 10);
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  if (eocdPos >= 20) {
    const loc = readAt(path, fd, eocdPos - 20, 20, size);
    if (loc.readUInt32LE(0) === SIG_LOCATOR64) {
      const e64 = readAt(path, fd, u64(loc, 8, path), 56, size);
      if (e64.readUInt32LE(0) !== SIG_EOCD64) throw new DataError("corrupt zip64 directory record", path);
      count = u64(e64, 32, path);
      cdSize = u64(e64, 40, path);
      cdOffset = u64(e64, 48, path);
    }
  }
  if (cdOffset + cdSize > eocdPos)
    throw new DataError("truncated or corrupt zip file (central directory out of bounds)", path);
  const cd = readAt(path, fd, cdOffset, cdSize, size);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL)
      throw new DataError(`corrupt zip central directory (entry ${i} of ${count})`, path);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const name = cd.toString("utf8", p + 46, p + 46 + nameLen);
    let compressedSize = cd.readUInt32LE(p + 20);
    let usize = cd.readUInt32LE(p + 24);
    let offset = cd.readUInt32LE(p + 42);
    // ZIP64 extra field: only the values saturated in the fixed fields, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const next = (): number => {
          const v = u64(cd, q, path);
          q += 8;
          return v;
        };
        if (usize === 0xffffffff) usize = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (offset === 0xffffffff) offset = next();
      }
      x += 4 + len;
    }
    entries.set(name, {
      name,
      method: cd.readUInt16LE(p + 10),
      crc32: cd.readUInt32LE(p + 16),
      compressedSize,
      size: usize,
      localHeaderOffset: offset,
    });
    p = xEnd + commentLen;
  }
  return entries;
}
