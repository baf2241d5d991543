/**
 * Small positioned reads of an image file through a cached window, and the error every
 * header reader throws. Shared by the per-format header readers.
 */
import { DataError } from "./errors.js";

/** Why a file is not a usable image; `kind` lets callers count the causes. */
export type ImageErrorKind = "empty" | "unknown-format" | "truncated-header" | "truncated-data" | "corrupt";

export class ImageFileError extends DataError {
  constructor(
    readonly kind: ImageErrorKind,
    file: string,
    /** The cause without the file name (DataError's message starts with the file). */
    readonly reason: string,
  ) {
    super(reason, file);
  }
}

/** Reads of a file through a cached window, so walking a header is one read in the common case. */
/** What ByteReader reads through: a FileHandle, or image-header's synchronous stand-in for one. */
export interface PositionalReader {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

export class ByteReader {
  private winStart = 0;
  private win = Buffer.alloc(0);

  constructor(
    private readonly fh: PositionalReader,
    readonly size: number,
    readonly file: string,
  ) {}

  /** Bytes [pos, pos+len); fewer when the file ends first. */
  async read(pos: number, len: number): Promise<Buffer> {
    if (pos >= this.winStart && pos + len <= this.winStart + this.win.length) {
      return this.win.subarray(pos - this.winStart, pos - this.winStart + len);
    }
    const want = Math.max(len, 4096);
    const buf = Buffer.alloc(Math.max(0, Math.min(want, this.size - pos)));
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await this.fh.read(buf, got, buf.length - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.winStart = pos;
    this.win = buf.subarray(0, got);
    return this.win.subarray(0, Math.min(len, got));
  }

  /** Exactly len bytes or an ImageFileError "truncated header". */
  async need(pos: number, len: number, what: string): Promise<Buffer> {
    const b = await this.read(pos, len);
    if (b.length < len)
      throw new ImageFileError(
        "truncated-header",
        this.file,
        `truncated header: the file ends inside the ${what}`,
      );
    return b;
  }

  /** The last `len` bytes (the whole file when smaller). */
  async tail(len: number): Promise<Buffer> {
    const start = Math.max(0, this.size - len);
    return this.read(start, this.size - start);
  }
}

export interface RawDims {
  width: number;
  height: number;
  orientation: number;
  /** Format-specific facts the end check needs. */
  extra?: number;
}
