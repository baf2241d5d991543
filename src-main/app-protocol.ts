/**
 * The app's own protocol, `azaion-media://app/...`: the renderer's files from dist/renderer and the
 * MEDIA routes (images, thumbnails, files with Range, uploads) through the host's media handler, the
 * one `azaion serve` uses over HTTP. One origin for both, so the renderer's CSP can say 'self'.
 */
import { readFile, stat } from "node:fs/promises";
import { join, normalize, sep } from "node:path";
import { MEDIA } from "../src-workers/host/contract/rpc.js";
import { contentType } from "../src-workers/host/web/content-types.js";
import { APP_HOST, APP_SCHEME, securityHeaders } from "./csp.js";

/** What the scheme must be registered with (before app ready): standard, secure, fetch and streaming. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true },
} as const;

/** Answers a MEDIA request (path under /media/); the host's media handlers behind a fetch-style face. */
export type MediaHandler = (request: Request) => Promise<Response>;

function withHeaders(res: Response): Response {
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(securityHeaders())) headers.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

const plain = (status: number, text: string): Response =>
  withHeaders(new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } }));

/** A file of the renderer's build, never outside it; "/" is index.html. */
async function rendererFile(rendererDir: string, pathname: string): Promise<Response> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return plain(400, "bad path");
  }
  if (rel === "/" || rel === "") rel = "/index.html";
  const file = normalize(join(rendererDir, rel));
  if (file !== rendererDir && !file.startsWith(rendererDir.endsWith(sep) ? rendererDir : rendererDir + sep))
    return plain(403, "outside the app");
  try {
    if (!(await stat(file)).isFile()) return plain(404, `not found: ${rel}`);
    const body = await readFile(file);
    return withHeaders(
      new Response(body, {
        status: 200,
        headers: { "Content-Type": contentType(file) },
      }),
    );
  } catch {
    return plain(404, `not found: ${rel}`);
  }
}

const mediaPaths = new Set<string>(Object.values(MEDIA));

export function appProtocolHandler(
  rendererDir: string,
  media: MediaHandler,
): (request: Request) => Promise<Response> {
  const dir = normalize(rendererDir);
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, "bad URL");
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return plain(404, "unknown host");
    if (mediaPaths.has(url.pathname)) {
      try {
        return withHeaders(await media(request));
      } catch (e) {
        return plain(500, e instanceof Error ? e.message : String(e));
      }
    }
    if (request.method !== "GET" && request.method !== "HEAD") return plain(405, "method not allowed");
    return rendererFile(dir, url.pathname);
  };
}
