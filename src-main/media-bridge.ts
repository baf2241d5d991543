/**
 * The MEDIA routes for Electron's `azaion-media:` protocol. The host's media handlers
 * (src-workers/host/web/media.ts: Range for video, streamed uploads, thumbnails, the same checks of
 * what may be served) are node:http handlers; protocol.handle gives a fetch Request instead. Rather
 * than a second implementation, the main process runs those handlers on an HTTP server bound to
 * 127.0.0.1 on a free port that answers only requests bearing a random per-launch token, and the
 * protocol handler forwards each MEDIA request to it, streaming both ways.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { HostApi } from "../src-workers/host/api/host-api.js";
import { Auth, newToken } from "../src-workers/host/web/auth.js";
import { handleMedia } from "../src-workers/host/web/media.js";
import { ThumbnailCache } from "../src-workers/host/web/thumbs.js";
import type { MediaHandler } from "./app-protocol.js";

export interface MediaBridge {
  readonly handler: MediaHandler;
  close(): Promise<void>;
}

/** Uploads (dropped videos) up to this size. */
const UPLOAD_LIMIT = 16 * 1024 * 1024 * 1024;

export async function startMediaBridge(api: HostApi): Promise<MediaBridge> {
  const token = newToken();
  const auth = new Auth(token);
  const thumbs = new ThumbnailCache({ cacheDir: join(api.root, ".cache", "thumbs") });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (!auth.check(req, url).ok) {
      res.writeHead(401, { "Content-Type": "text/plain; charset=utf-8" }).end("unauthorised\n");
      return;
    }
    handleMedia(req, res, url, { api, thumbs, uploadLimit: UPLOAD_LIMIT })
      .then((handled) => {
        if (!handled && !res.headersSent)
          res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      })
      .catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" }).end(`${String(e)}\n`);
        else res.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const handler: MediaHandler = async (request) => {
    const from = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.set("Authorization", `Bearer ${token}`);
    headers.delete("Cookie");
    const init: RequestInit & { duplex?: "half" } = { method: request.method, headers, redirect: "manual" };
    if (request.method !== "GET" && request.method !== "HEAD" && request.body) {
      init.body = request.body;
      init.duplex = "half";
    }
    const res = await fetch(`http://127.0.0.1:${port}${from.pathname}${from.search}`, init);
    // fetch decoded nothing (the server sends no Content-Encoding), so the headers still describe the body.
    const empty = res.status === 204 || res.status === 205 || res.status === 304 || request.method === "HEAD";
    return new Response(empty ? null : res.body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };

  return {
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
