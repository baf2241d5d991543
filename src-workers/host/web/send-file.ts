/** Sending a file over HTTP: content type, ETag, Range requests (video seeking), download names. */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename } from "node:path";
import { pipeline } from "node:stream/promises";
import { contentType } from "./content-types.js";

export interface SendOptions {
  readonly cacheControl?: string;
  readonly download?: boolean;
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

function parseRange(header: string, size: number): { start: number; end: number } | "bad" | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined; // multi-range or another unit: answer the whole file
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === "") {
    if (b === "") return "bad";
    start = Math.max(0, size - Number(b));
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start > end || start >= size) return "bad";
  return { start, end };
}

export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  o: SendOptions = {},
): Promise<void> {
  const s = await stat(file).catch(() => undefined);
  if (!s?.isFile()) {
    sendText(res, 404, `no such file: ${file}\n`);
    return;
  }
  const etag = `"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`;
  const headers: Record<string, string> = {
    "Content-Type": contentType(file),
    "Accept-Ranges": "bytes",
    ETag: etag,
    "Last-Modified": s.mtime.toUTCString(),
    "Cache-Control": o.cacheControl ?? "no-cache",
  };
  if (o.download)
    headers["Content-Disposition"] = `attachment; filename*=UTF-8''${encodeURIComponent(basename(file))}`;
  if (req.headers["if-none-match"] === etag && req.headers.range === undefined) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const range = req.headers.range ? parseRange(req.headers.range, s.size) : undefined;
  if (range === "bad") {
    res.writeHead(416, { "Content-Range": `bytes */${s.size}` });
    res.end();
    return;
  }
  if (range) {
    headers["Content-Range"] = `bytes ${range.start}-${range.end}/${s.size}`;
    headers["Content-Length"] = String(range.end - range.start + 1);
    res.writeHead(206, headers);
  } else {
    headers["Content-Length"] = String(s.size);
    res.writeHead(200, headers);
  }
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const stream = createReadStream(file, range ? { start: range.start, end: range.end } : {});
  await pipeline(stream, res).catch(() => res.destroy());
}
