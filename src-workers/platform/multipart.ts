/**
 * A multipart/form-data body with one file field, streamed from a buffer or a file, with its
 * exact length known up front (so it goes with Content-Length, not chunked encoding).
 */
import { randomBytes } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { Readable } from "node:stream";

export type UploadSource = Buffer | { readonly file: string };

export interface MultipartBody {
  readonly contentType: string;
  readonly length: number;
  /** A fresh stream of the body, for every try. */
  readonly open: () => Readable;
}

/** RFC 7578: the field `field` holding `fileName` as application/octet-stream. */
export function multipartFile(field: string, fileName: string, source: UploadSource): MultipartBody {
  if (/["\r\n\\]/.test(fileName) || /["\r\n\\]/.test(field))
    throw new Error(`multipart: the name ${JSON.stringify(fileName)} holds a quote, backslash or line break`);
  const boundary = `----azaion-${randomBytes(16).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="${field}"; filename="${fileName}"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = Buffer.isBuffer(source) ? source.length : statSync(source.file).size;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + size + tail.length,
    open: () =>
      Readable.from(
        (async function* () {
          yield head;
          if (Buffer.isBuffer(source)) yield source;
          else for await (const c of createReadStream(source.file)) yield c as Buffer;
          yield tail;
        })(),
      ),
  };
}
