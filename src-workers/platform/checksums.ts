/**
 * Checksums of what goes to and comes from the CDN: SHA-256 of the bytes (stored with the object
 * as metadata and checked on download) and the S3 ETag the server must answer an upload with
 * (MD5 of the body; for a multipart upload MD5 of the parts' MD5s, "-", the part count), so an
 * upload is known to have arrived intact, not only to have been accepted.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";

export interface Checksums {
  readonly size: number;
  readonly sha256: string;
  /** ETags the server may answer: single PUT and multipart forms (both when one part fits all). */
  readonly etags: readonly string[];
}

/** A byte range of a file (end exclusive), or a buffer. */
export type ByteSource = Buffer | { readonly file: string; readonly start?: number; readonly end?: number };

export function openSource(src: ByteSource): Readable | Buffer {
  if (Buffer.isBuffer(src)) return src;
  const end = src.end === undefined ? undefined : src.end - 1;
  if (end !== undefined && end < (src.start ?? 0)) return Buffer.alloc(0);
  return createReadStream(src.file, { start: src.start ?? 0, ...(end === undefined ? {} : { end }) });
}

export async function checksums(src: ByteSource, partBytes: number): Promise<Checksums> {
  const sha = createHash("sha256");
  const whole = createHash("md5");
  const partMd5s: Buffer[] = [];
  let part = createHash("md5");
  let inPart = 0;
  let size = 0;
  const eat = (buf: Buffer) => {
    sha.update(buf);
    whole.update(buf);
    size += buf.length;
    let off = 0;
    while (off < buf.length) {
      const n = Math.min(partBytes - inPart, buf.length - off);
      part.update(buf.subarray(off, off + n));
      inPart += n;
      off += n;
      if (inPart === partBytes) {
        partMd5s.push(part.digest());
        part = createHash("md5");
        inPart = 0;
      }
    }
  };
  const s = openSource(src);
  if (Buffer.isBuffer(s)) eat(s);
  else for await (const c of s) eat(c as Buffer);
  if (inPart > 0) partMd5s.push(part.digest());
  const single = whole.digest("hex");
  const multi = `${createHash("md5").update(Buffer.concat(partMd5s)).digest("hex")}-${partMd5s.length}`;
  return { size, sha256: sha.digest("hex"), etags: partMd5s.length <= 1 ? [single, multi] : [multi] };
}

export async function sha256OfFile(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest("hex");
}

export function sha256(buf: Buffer): string {
  return createHash("sha256").update(buf).digest("hex");
}
