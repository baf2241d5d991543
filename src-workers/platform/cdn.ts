/**
 * The S3 CDN, as two clients with two key pairs: CdnReader (read keys: head, download) and
 * CdnWriter (write keys: upload, delete). The reader has no method that writes, and the server
 * refuses writes with the read keys anyway (scripts/ceph-rgw.sh shows the bucket policy).
 *
 * Uploads go through @aws-sdk/lib-storage (multipart above one part), carry their SHA-256 as
 * metadata, and are verified by the ETag the server answers. Downloads go to "<out>.part" and
 * resume from its end with a Range request (If-Match the same ETag), and are verified against
 * the expected SHA-256 before "<out>" appears.
 */
import { rename, stat, unlink, readFile, writeFile } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { z } from "zod";
import { checksums, openSource, sha256OfFile, type ByteSource } from "./checksums.js";
import { CdnError, IntegrityError } from "./errors.js";
import { cdnError, s3Client, type CdnCredentials, type CdnEndpoint } from "./s3.js";

export type Progress = (done: number, total: number) => void;

export interface ObjectInfo {
  readonly size: number;
  readonly etag: string;
  /** The SHA-256 our uploads store as metadata, when present. */
  readonly sha256: string | undefined;
}

export interface DownloadResult {
  readonly size: number;
  readonly sha256: string;
  /** Bytes already in "<out>.part" from an earlier, interrupted try. */
  readonly resumedFrom: number;
}

const partMetaSchema = z.object({ key: z.string(), etag: z.string(), size: z.number() }).strict();
const unquote = (etag: string | undefined) => (etag ?? "").replace(/^"|"$/g, "");

export class CdnReader {
  protected readonly s3: S3Client;

  constructor(
    protected readonly ep: CdnEndpoint,
    creds: CdnCredentials,
    private readonly role: "read" | "write" = "read",
  ) {
    this.s3 = s3Client(ep, creds);
  }

  /** Check the keys: list one object of the bucket (a signed request that needs read rights). */
  async check(): Promise<void> {
    try {
      await this.s3.send(new ListObjectsV2Command({ Bucket: this.ep.bucket, MaxKeys: 1 }));
    } catch (err) {
      throw cdnError(err, `CDN ${this.ep.endpoint} bucket ${this.ep.bucket}`, this.role);
    }
  }

  async head(key: string): Promise<ObjectInfo> {
    try {
      const h = await this.s3.send(new HeadObjectCommand({ Bucket: this.ep.bucket, Key: key }));
      return { size: h.ContentLength ?? 0, etag: unquote(h.ETag), sha256: h.Metadata?.sha256 };
    } catch (err) {
      throw cdnError(err, `CDN head ${key}`, this.role);
    }
  }

  /** The whole object in memory, checked against `sha256` (default: the object's stored SHA-256). */
  async getBuffer(key: string, opts: { sha256?: string; onProgress?: Progress } = {}): Promise<Buffer> {
    const info = await this.head(key);
    const want = opts.sha256 ?? info.sha256;
    if (!want) throw new CdnError(`CDN ${key}: no SHA-256 to verify the download against`);
    const chunks: Buffer[] = [];
    let done = 0;
    const body = await this.get(key, info, 0);
    for await (const c of body) {
      chunks.push(c as Buffer);
      done += (c as Buffer).length;
      opts.onProgress?.(done, info.size);
    }
    const buf = Buffer.concat(chunks);
    const got = createHash("sha256").update(buf).digest("hex");
    if (got !== want)
      throw new IntegrityError(
        `CDN ${key}: SHA-256 ${got} of ${buf.length} bytes, expected ${want}: the object was altered or replaced`,
      );
    return buf;
  }

  /**
   * Download to `out` through "<out>.part", resuming an interrupted download; `out` appears only
   * once the SHA-256 checks (`sha256`, default the object's stored one). `signal` aborts mid-way,
   * leaving the .part for the next try.
   */
  async download(
    key: string,
    out: string,
    opts: { sha256?: string; onProgress?: Progress; signal?: AbortSignal } = {},
  ): Promise<DownloadResult> {
    const info = await this.head(key);
    const want = opts.sha256 ?? info.sha256;
    if (!want) throw new CdnError(`CDN ${key}: no SHA-256 to verify the download against`);
    const part = `${out}.part`;
    const metaFile = `${out}.part.json`;
    let start = await resumableBytes(part, metaFile, key, info);
    if (start === 0) {
      await writeFile(part, "");
      await writeFile(metaFile, JSON.stringify({ key, etag: info.etag, size: info.size }));
    }
    const resumedFrom = start;
    if (start < info.size) {
      let done = start;
      const count = new Transform({
        transform(c: Buffer, _e, cb) {
          done += c.length;
          opts.onProgress?.(done, info.size);
          cb(null, c);
        },
      });
      const body = await this.get(key, info, start);
      await pipeline(
        body,
        count,
        createWriteStream(part, { flags: "a" }),
        opts.signal ? { signal: opts.signal } : {},
      );
      start = done;
    }
    const got = await sha256OfFile(part);
    if (got !== want) {
      await unlink(part).catch(() => undefined);
      await unlink(metaFile).catch(() => undefined);
      throw new IntegrityError(
        `CDN ${key}: downloaded SHA-256 ${got}, expected ${want}; the partial file was removed`,
      );
    }
    await rename(part, out);
    await unlink(metaFile).catch(() => undefined);
    return { size: info.size, sha256: got, resumedFrom };
  }

  private async get(key: string, info: ObjectInfo, from: number): Promise<Readable> {
    try {
      const r = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.ep.bucket,
          Key: key,
          IfMatch: `"${info.etag}"`,
          ...(from > 0 ? { Range: `bytes=${from}-` } : {}),
        }),
      );
      if (!r.Body) throw new CdnError(`CDN ${key}: the answer has no body`);
      return r.Body as Readable;
    } catch (err) {
      if ((err as { name?: string }).name === "PreconditionFailed")
        throw new CdnError(`CDN ${key}: the object changed during the download; run it again`);
      throw cdnError(err, `CDN get ${key}`, this.role);
    }
  }
}

/** Bytes of a .part that belong to the same object (same key, ETag and size); 0 to start over. */
async function resumableBytes(
  part: string,
  metaFile: string,
  key: string,
  info: ObjectInfo,
): Promise<number> {
  try {
    const meta = partMetaSchema.parse(JSON.parse(await readFile(metaFile, "utf8")));
    const have = (await stat(part)).size;
    if (meta.key === key && meta.etag === info.etag && meta.size === info.size && have <= info.size)
      return have;
  } catch {
    // no .part, or one from another object or an unreadable record: start over
  }
  return 0;
}

export interface UploadResult {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  readonly etag: string;
}

/** Multipart part size: 8 MiB (S3's minimum is 5 MiB). */
export const PART_BYTES = 8 << 20;

export class CdnWriter extends CdnReader {
  constructor(ep: CdnEndpoint, creds: CdnCredentials) {
    super(ep, creds, "write");
  }

  /** Upload bytes (a buffer or a range of a file); verified by the ETag and a HEAD afterwards. */
  async upload(key: string, src: ByteSource, opts: { onProgress?: Progress } = {}): Promise<UploadResult> {
    const sums = await checksums(src, PART_BYTES);
    let answered: string;
    try {
      const up = new Upload({
        client: this.s3,
        params: {
          Bucket: this.ep.bucket,
          Key: key,
          Body: openSource(src),
          // lib-storage cannot size a stream over part of a file on its own.
          ContentLength: sums.size,
          Metadata: { sha256: sums.sha256 },
        },
        partSize: PART_BYTES,
        queueSize: 2,
        leavePartsOnError: false,
      });
      up.on("httpUploadProgress", (p) => opts.onProgress?.(p.loaded ?? 0, sums.size));
      answered = unquote((await up.done()).ETag);
    } catch (err) {
      throw cdnError(err, `CDN upload ${key}`, "write");
    }
    // The ETag the server computed from what it received (some servers, Ceph 16 among them, leave
    // it out of the multipart completion answer; HEAD has it), checked against ours.
    const info = await this.head(key);
    const etag = answered || info.etag;
    if (!sums.etags.includes(etag) || (answered !== "" && answered !== info.etag))
      throw new IntegrityError(
        `CDN upload ${key}: the server's ETag ${etag} does not match the bytes sent (${sums.etags.join(" or ")})`,
      );
    if (info.size !== sums.size || info.sha256 !== sums.sha256)
      throw new IntegrityError(
        `CDN upload ${key}: the server holds ${info.size} bytes (sha256 ${info.sha256 ?? "none"}), we sent ${sums.size} (${sums.sha256})`,
      );
    return { key, size: sums.size, sha256: sums.sha256, etag };
  }

  async delete(key: string): Promise<void> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.ep.bucket, Key: key }));
    } catch (err) {
      throw cdnError(err, `CDN delete ${key}`, "write");
    }
  }
}
