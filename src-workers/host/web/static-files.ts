/**
 * The built renderer (dist/renderer): files by path, index.html for client-side routes. Vite's
 * hashed assets (assets/name-<hash>.js) never change, so browsers keep them for a year; index.html
 * is revalidated every time so a rebuilt renderer is picked up at once.
 */
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { sendFile, sendText } from "./send-file.js";

const HASHED = /[-.][A-Za-z0-9_-]{8,}\.(js|css|woff2?|png|svg|jpg|wasm)$/;

export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  dir: string,
): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    sendText(res, 400, "bad path\n");
    return;
  }
  const clean = normalize(rel).replace(/^([/\\])+/, "");
  if (clean.split(/[/\\]/).includes("..")) {
    sendText(res, 400, "bad path\n");
    return;
  }
  const file = join(dir, clean);
  if (!file.startsWith(dir + sep) && file !== dir) {
    sendText(res, 400, "bad path\n");
    return;
  }
  const s = clean === "" ? undefined : await stat(file).catch(() => undefined);
  if (s?.isFile()) {
    const immutable = clean.startsWith(`assets${sep}`) && HASHED.test(clean);
    await sendFile(req, res, file, {
      cacheControl: immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
    return;
  }
  // A client-side route (no extension) gets the app; a missing asset is a 404.
  if (clean !== "" && extname(clean) !== "" && extname(clean) !== ".html") {
    sendText(res, 404, `not found: /${clean}\n`);
    return;
  }
  const index = join(dir, "index.html");
  if (!(await stat(index).catch(() => undefined))) {
    sendText(
      res,
      503,
      `the UI is not built: ${index} is missing. Build it with 'npx vite build' (the renderer's build), then reload.\n`,
    );
    return;
  }
  await sendFile(req, res, index, { cacheControl: "no-cache" });
}
