/**
 * The web host of `azaion serve`: the built renderer, the RPC over WebSocket (/ws) and the MEDIA
 * routes, on node:http. Binds 127.0.0.1 unless told otherwise; on any other address every request,
 * the WebSocket upgrade included, needs the token (auth.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { join } from "node:path";
import { WebSocketServer } from "ws";
import type { HostApi } from "../api/host-api.js";
import { Auth, isLoopback, loopbackHost, newToken, originAllowed } from "./auth.js";
import { handleMedia } from "./media.js";
import { sendText } from "./send-file.js";
import { serveStatic } from "./static-files.js";
import { ThumbnailCache } from "./thumbs.js";
import { MAX_FRAME_BYTES, serveRpc } from "./ws-rpc.js";

export const WS_PATH = "/ws";

export interface WebHostOptions {
  readonly api: HostApi;
  /** The built renderer (dist/renderer). */
  readonly staticDir: string;
  readonly host?: string;
  /** 0: any free port. */
  readonly port?: number;
  /** Required on non-loopback addresses (generated when not given); on loopback only when given. */
  readonly token?: string;
  readonly uploadLimit?: number;
  readonly thumbConcurrency?: number;
}

export interface WebHost {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  /** The page URL, with ?token= when one is needed. */
  readonly url: string;
  readonly token: string | undefined;
  close(): Promise<void>;
}

function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? "/", "http://host");
  } catch {
    return undefined;
  }
}

export async function startWebHost(o: WebHostOptions): Promise<WebHost> {
  const host = o.host ?? "127.0.0.1";
  const token = o.token ?? (isLoopback(host) ? undefined : newToken());
  const auth = new Auth(token);
  const thumbs = new ThumbnailCache({
    cacheDir: join(o.api.root, ".cache", "thumbs"),
    ...(o.thumbConcurrency ? { concurrency: o.thumbConcurrency } : {}),
  });
  const media = { api: o.api, thumbs, uploadLimit: o.uploadLimit ?? 8 * 1024 ** 3 };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req);
    if (!url) {
      sendText(res, 400, "bad request URL\n");
      return;
    }
    if (token === undefined && !loopbackHost(req)) {
      sendText(
        res,
        403,
        "this host answers to 127.0.0.1 / localhost only (start it with a token for other names)\n",
      );
      return;
    }
    const a = auth.check(req, url);
    if (!a.ok) {
      sendText(res, 401, "a token is needed: open the URL `azaion serve` printed (with ?token=...)\n", {
        "WWW-Authenticate": "Bearer",
      });
      return;
    }
    if (a.setCookie) res.setHeader("Set-Cookie", a.setCookie);
    res.setHeader("X-Content-Type-Options", "nosniff");
    if (url.pathname.startsWith("/media/")) {
      if (req.method === "POST" && !originAllowed(req)) {
        sendText(res, 403, "cross-site upload refused\n");
        return;
      }
      if (await handleMedia(req, res, url, media)) return;
      sendText(res, 404, `no media route ${url.pathname}\n`);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendText(res, 405, "GET only\n", { Allow: "GET, HEAD" });
      return;
    }
    await serveStatic(req, res, url.pathname, o.staticDir);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendText(res, 500, `${(e as Error).message}\n`);
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  wss.on("connection", (ws) => serveRpc(ws, o.api));

  const refuse = (socket: Duplex, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const url = requestUrl(req);
    if (!url) return refuse(socket, "400 Bad Request");
    if (url.pathname !== WS_PATH) return refuse(socket, "404 Not Found");
    if (!originAllowed(req)) return refuse(socket, "403 Forbidden");
    if (token === undefined && !loopbackHost(req)) return refuse(socket, "403 Forbidden");
    if (!auth.check(req, url).ok) return refuse(socket, "401 Unauthorized");
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  // Dead connections (a laptop that slept) are found by ping and dropped.
  const alive = new WeakSet<object>();
  const ping = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, 30_000);
  ping.unref();
  wss.on("connection", (ws) => {
    alive.add(ws);
    ws.on("pong", () => alive.add(ws));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 8620, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${shown}:${port}/${token !== undefined ? `?token=${encodeURIComponent(token)}` : ""}`;
  return {
    server,
    host,
    port,
    url,
    token,
    async close() {
      clearInterval(ping);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
