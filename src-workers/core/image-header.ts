/**
 * Image size and format from the file header, without decoding pixels: JPEG, PNG, BMP, WebP, TIFF.
 * A scan of 100k images must stay I/O-bound, so each file costs a few small reads through one
 * FileHandle (a 4 KiB window at the start, more only when JPEG markers run past it, and the tail).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
import { jpegDims, jpegEndOk } from "./image-jpeg.js";
import { ByteReader, ImageFileError, type PositionalReader, type RawDims } from "./image-reader.js";

export { ImageFileError, type ImageErrorKind } from "./image-reader.js";

export type ImageFormat = "jpeg" | "png" | "bmp" | "webp" | "tiff";

export interface ImageHeader {
  readonly format: ImageFormat;
  /** Width and height as the image is shown: JPEG EXIF orientation 5-8 swaps them. */
  readonly width: number;
  readonly height: number;
  /** EXIF orientation 1-8 (1 when absent). */
  readonly orientation: number;
  /** File size in bytes. */
  readonly bytes: number;
}

export interface ReadHeaderOptions {
  /** Also check that the data is complete (JPEG end marker, PNG IEND, WebP/BMP sizes). Default true. */
  readonly checkEnd?: boolean;
  /**
   * Read with synchronous calls on this thread instead of the thread pool: for a caller that reads
   * many headers in short batches between yields (an index of 100k images), where the pool's round
   * trip per read costs more than the read. Default false.
   */
  readonly sync?: boolean;
}

/** An open image file: a FileHandle, or the same three calls over a synchronous file descriptor. */
interface ImageFile extends PositionalReader {
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

function syncFile(file: string): ImageFile {
  const fd = openSync(file, "r");
  return {
    read: (buffer, offset, length, position) =>
      Promise.resolve({ bytesRead: readSync(fd, buffer, offset, length, position) }),
    stat: () => Promise.resolve(fstatSync(fd)),
    close: () => Promise.resolve(closeSync(fd)),
  };
}

/** The header of one image file; throws ImageFileError naming the file and the cause. */
export async function readImageHeader(file: string, opts: ReadHeaderOptions = {}): Promise<ImageHeader> {
  let fh: ImageFile;
  try {
    fh = opts.sync ? syncFile(file) : await open(file, "r");
  } catch (e) {
    throw new ImageFileError("corrupt", file, `cannot open: ${(e as Error).message}`);
  }
  try {
    const size = (await fh.stat()).size;
    if (size === 0) throw new ImageFileError("empty", file, "empty file (0 bytes)");
    const r = new ByteReader(fh, size, file);
    const head = await r.read(0, 32);
    const format = sniffFormat(head);
    if (format === undefined) {
      throw new ImageFileError(
        "unknown-format",
        file,
        `not an image: unknown format (starts with ${hexBytes(head.subarray(0, 8))})`,
      );
    }
    const dims = await HEADERS[format](r);
    if (!(dims.width > 0 && dims.height > 0)) {
      throw new ImageFileError(
        "corrupt",
        file,
        `corrupt ${format} header: size ${dims.width}x${dims.height}`,
      );
    }
    if (opts.checkEnd !== false) await ENDS[format](r, dims);
    const swap = format === "jpeg" && dims.orientation >= 5 && dims.orientation <= 8;
    return {
      format,
      width: swap ? dims.height : dims.width,
      height: swap ? dims.width : dims.height,
      orientation: dims.orientation,
      bytes: size,
    };
  } finally {
    await fh.close();
  }
}

export function sniffFormat(b: Buffer): ImageFormat | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIG)) return "png";
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return "bmp";
  if (b.length >= 12 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP")
    return "webp";
  if (b.length >= 4 && (b.toString("latin1", 0, 4) === "II*\0" || b.toString("latin1", 0, 4) === "MM\0*"))
    return "tiff";
  return undefined;
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const HEADERS: Record<ImageFormat, (r: ByteReader) => Promise<RawDims>> = {
  jpeg: jpegDims,
  async png(r) {
    const b = await r.need(0, 24, "PNG IHDR chunk");
    if (b.toString("latin1", 12, 16) !== "IHDR")
      throw new ImageFileError("corrupt", r.file, "corrupt PNG: the first chunk is not IHDR");
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), orientation: 1 };
  },
  async bmp(r) {
    const b = await r.need(0, 18, "BMP file header");
    const dib = b.readUInt32LE(14);
    if (dib === 12) {
      const c = await r.need(18, 8, "BMP core header");
      return {
        width: c.readUInt16LE(0),
        height: c.readUInt16LE(2),
        orientation: 1,
        extra: bmpDataEnd(b, c.readUInt16LE(0), c.readUInt16LE(2), c.readUInt16LE(6), 0),
      };
    }
    if (dib < 40) throw new ImageFileError("corrupt", r.file, `corrupt BMP: DIB header size ${dib}`);
    const h = await r.need(18, 16, "BMP info header");
    const w = h.readInt32LE(0);
    const hh = Math.abs(h.readInt32LE(4)); // negative height = rows stored top-down
    return {
      width: w,
      height: hh,
      orientation: 1,
      extra: bmpDataEnd(b, w, hh, h.readUInt16LE(10), h.readUInt32LE(12)),
    };
  },
  async webp(r) {
    const b = await r.need(0, 30, "WebP header");
    const chunk = b.toString("latin1", 12, 16);
    const riffEnd = b.readUInt32LE(4) + 8;
    if (chunk === "VP8 ") {
      if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a)
        throw new ImageFileError("corrupt", r.file, "corrupt WebP: bad VP8 start code");
      return {
        width: b.readUInt16LE(26) & 0x3fff,
        height: b.readUInt16LE(28) & 0x3fff,
        orientation: 1,
        extra: riffEnd,
      };
    }
    if (chunk === "VP8L") {
      if (b[20] !== 0x2f) throw new ImageFileError("corrupt", r.file, "corrupt WebP: bad VP8L signature");
      const bits = b.readUInt32LE(21);
      return {
        width: (bits & 0x3fff) + 1,
        height: ((bits >>> 14) & 0x3fff) + 1,
        orientation: 1,
        extra: riffEnd,
      };
    }
    if (chunk === "VP8X") {
      return {
        width: b.readUIntLE(24, 3) + 1,
        height: b.readUIntLE(27, 3) + 1,
        orientation: 1,
        extra: riffEnd,
      };
    }
    throw new ImageFileError(
      "corrupt",
      r.file,
      `corrupt WebP: unknown first chunk "${chunk.replace(/[^\x20-\x7e]/g, "?")}"`,
    );
  },
  async tiff(r) {
    const h = await r.need(0, 8, "TIFF header");
    const le = h[0] === 0x49;
    const u16 = (buf: Buffer, o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    const u32 = (buf: Buffer, o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const ifd = u32(h, 4);
    const n = u16(await r.need(ifd, 2, "TIFF directory"), 0);
    const entries = await r.need(ifd + 2, n * 12, "TIFF directory");
    const dims: RawDims = { width: 0, height: 0, orientation: 1 };
    for (let i = 0; i < n; i++) {
      const e = i * 12;
      const tag = u16(entries, e);
      const value = u16(entries, e + 2) === 3 ? u16(entries, e + 8) : u32(entries, e + 8);
      if (tag === 256) dims.width = value;
      else if (tag === 257) dims.height = value;
      else if (tag === 274) dims.orientation = value;
    }
    return dims;
  },
};

/** BMP: the byte where uncompressed pixel data ends (0 when compressed: size unknown). */
function bmpDataEnd(fileHeader: Buffer, w: number, h: number, bpp: number, compression: number): number {
  if (compression !== 0 && compression !== 3) return 0;
  const row = Math.floor((bpp * Math.abs(w) + 31) / 32) * 4;
  return fileHeader.readUInt32LE(10) + row * h;
}

const truncated = (r: ByteReader, why: string) =>
  new ImageFileError("truncated-data", r.file, `truncated data: ${why}`);

const ENDS: Record<ImageFormat, (r: ByteReader, d: RawDims) => Promise<void>> = {
  async jpeg(r) {
    if (!(await jpegEndOk(r))) throw truncated(r, "no JPEG end marker (FFD9) in the last 4 KiB");
  },
  async png(r) {
    if ((await r.tail(4096)).indexOf("IEND", 0, "latin1") < 0)
      throw truncated(r, "no PNG IEND chunk at the end");
  },
  bmp(r, d) {
    if (d.extra && r.size < d.extra)
      throw truncated(r, `BMP pixel data needs ${d.extra} bytes, the file has ${r.size}`);
    return Promise.resolve();
  },
  webp(r, d) {
    if (d.extra && r.size < d.extra)
      throw truncated(r, `WebP RIFF size says ${d.extra} bytes, the file has ${r.size}`);
    return Promise.resolve();
  },
  tiff() {
    // Strips may lie anywhere in a TIFF: only a decode (validate --deep) can tell.
    return Promise.resolve();
  },
};

export function hexBytes(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
}
