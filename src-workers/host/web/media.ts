/** The MEDIA routes of contract/rpc.ts: image, thumb, file and upload. */
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename, extname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { MEDIA } from "../contract/rpc.js";
import type { HostApi } from "../api/host-api.js";
import { toErrorBody } from "../errors.js";
import { sendFile, sendJson, sendText } from "./send-file.js";
import type { ThumbnailCache } from "./thumbs.js";

export interface MediaOptions {
  readonly api: HostApi;
  readonly thumbs: ThumbnailCache;
  /** Largest upload in bytes. */
  readonly uploadLimit: number;
}

const STATUS: Record<string, number> = {
  not_found: 404,
  bad_request: 400,
  usage: 400,
  conflict: 409,
  data: 422,
};

function fail(res: ServerResponse, err: unknown): void {
  const body = toErrorBody(err);
  sendText(res, STATUS[body.code] ?? 500, `${body.message}\n`);
}

/** A file name safe to create: no folders, no odd characters, not hidden. */
export function safeName(name: string): string {
  const base = basename(name.replace(/\\/g, "/"))
    .replace(/[^\w.-]+/g, "_")
    .replace(/^\.+/, "");
  return (base === "" ? "upload" : base).slice(0, 120);
}

async function createUnique(dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let k = 0; k < 10_000; k++) {
    const file = join(dir, k === 0 ? name : `${stem}-${k}${ext}`);
    try {
      await (await open(file, "wx")).close();
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  throw new Error(`cannot find a free name for ${name} in ${dir}`);
}

export async function handleMedia(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  o: MediaOptions,
): Promise<boolean> {
  const q = url.searchParams;
  const get = req.method === "GET" || req.method === "HEAD";
  try {
    switch (url.pathname) {
      case MEDIA.image: {
        if (!get) break;
        const file = o.api.imagePath(q.get("folder") ?? "", q.get("key") ?? "");
        await sendFile(req, res, file, { cacheControl: "private, max-age=60" });
        return true;
      }
      case MEDIA.thumb: {
        if (!get) break;
        const file = o.api.imagePath(q.get("folder") ?? "", q.get("key") ?? "");
        const size = Math.round(Number(q.get("size") ?? 256));
        if (!Number.isFinite(size) || size < 16 || size > 2048) {
          sendText(res, 400, `size ${q.get("size")}: expected a whole number of pixels, 16-2048\n`);
          return true;
        }
        let gone = false;
        req.on("close", () => (gone = !res.writableFinished));
        const t = await o.thumbs.get(file, size, () => gone || res.destroyed);
        if (!t) {
          if (!res.destroyed) sendText(res, 503, "thumbnail request was cancelled\n");
          return true;
        }
        const headers = {
          "Content-Type": "image/jpeg",
          ETag: t.etag,
          "Cache-Control": "private, max-age=300",
        };
        if (req.headers["if-none-match"] === t.etag) {
          res.writeHead(304, headers);
          res.end();
        } else {
          res.writeHead(200, { ...headers, "Content-Length": t.data.length });
          res.end(req.method === "HEAD" ? undefined : t.data);
        }
        return true;
      }
      case MEDIA.file: {
        if (!get) break;
        const path = q.get("path");
        if (!path) {
          sendText(res, 400, "path: required\n");
          return true;
        }
        if (!o.api.mayServe(path)) {
          sendText(res, 403, `${path} is outside the data root, the open folders and the jobs' files\n`);
          return true;
        }
        await sendFile(req, res, path, { download: q.get("download") === "1" });
        return true;
      }
      case MEDIA.upload: {
        if (req.method !== "POST") {
          sendText(res, 405, "upload takes POST\n", { Allow: "POST" });
          return true;
        }
        await upload(req, res, safeName(q.get("name") ?? "upload"), o);
        return true;
      }
      default:
        return false;
    }
    sendText(res, 405, `${url.pathname} takes GET\n`, { Allow: "GET, HEAD" });
    return true;
  } catch (e) {
    fail(res, e);
    return true;
  }
}

async function upload(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  o: MediaOptions,
): Promise<void> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > o.uploadLimit) {
    sendText(res, 413, `upload of ${declared} bytes is over the limit of ${o.uploadLimit}\n`, {
      Connection: "close",
    });
    req.resume();
    return;
  }
  await mkdir(o.api.uploads, { recursive: true });
  const file = await createUnique(o.api.uploads, name);
  const tmp = `${file}.part`;
  let received = 0;
  let over = false;
  req.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received > o.uploadLimit && !over) {
      over = true;
      req.unpipe();
      req.destroy();
    }
  });
  try {
    await pipeline(req, createWriteStream(tmp));
    if (over) throw new Error("over");
    await rename(tmp, file);
  } catch {
    await unlink(tmp).catch(() => undefined);
    await unlink(file).catch(() => undefined);
    if (over)
      sendText(res, 413, `upload is over the limit of ${o.uploadLimit} bytes\n`, { Connection: "close" });
    else if (!res.destroyed) sendText(res, 400, "the upload was cut off\n");
    return;
  }
  sendJson(res, 200, { path: file, size: received });
}
