/**
 * The azaion-media: protocol as Electron's protocol.handle would call it (fetch Requests), over the
 * real host API and media handlers on a generated dataset: the renderer's files, thumbnails, Range
 * reads, uploads, and the refusals (outside the app, outside the root, another host).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src-workers/core/config.js";
import { createHostApi, type HostApi } from "../src-workers/host/api/host-api.js";
import { mediaQuery } from "../src-workers/host/contract/rpc.js";
import { forkLauncher } from "../src-workers/host/jobs/launcher.js";
import { azaion } from "../tests/support/cli.js";
import { appProtocolHandler } from "./app-protocol.js";
import { CONTENT_SECURITY_POLICY } from "./csp.js";
import { startMediaBridge, type MediaBridge } from "./media-bridge.js";

let root: string;
let api: HostApi;
let bridge: MediaBridge;
let serve: (r: Request) => Promise<Response>;
let folder: string;
let key: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "azaion-protocol-"));
  const r = await azaion(["--root", root, "-q", "synth", "--count", "2", "--size", "128", "--seed", "3"]);
  expect(r.code, r.stderr).toBe(0);
  const renderer = join(root, "renderer");
  await mkdir(join(renderer, "assets"), { recursive: true });
  await writeFile(join(renderer, "index.html"), "<!doctype html><title>app</title>");
  await writeFile(join(renderer, "assets", "main.js"), "export {};");
  await writeFile(join(root, "secret.txt"), "outside the renderer");
  api = createHostApi({ root, config: { ...loadConfig(), root }, launcher: forkLauncher, host: "electron" });
  bridge = await startMediaBridge(api);
  serve = appProtocolHandler(renderer, bridge.handler);
  const opened = await api.call("dataset.open", { path: join(root, "data") });
  folder = opened.id;
  key = (await api.call("dataset.query", { folder, limit: 1 })).items[0]!.key;
});
afterAll(async () => {
  await bridge.close();
  await api.close();
  await rm(root, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit & { duplex?: "half" }) =>
  serve(new Request(`azaion-media://app${path}`, init));

describe("azaion-media: protocol", () => {
  it("serves the renderer's files with the CSP, and nothing outside them", async () => {
    const index = await get("/");
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/text\/html/);
    expect(index.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(await index.text()).toContain("<title>app</title>");
    const js = await get("/assets/main.js");
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    for (const p of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"])
      expect([403, 404], p).toContain((await get(p)).status);
    expect((await serve(new Request("azaion-media://other/index.html"))).status).toBe(404);
  });

  it("serves thumbnails and images of an open folder through the host's media handlers", async () => {
    const thumb = await get(`/media/thumb?${mediaQuery({ folder, key, size: 64 })}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/jpeg");
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(64);
    const full = await get(`/media/image?${mediaQuery({ folder, key })}`);
    expect((await sharp(Buffer.from(await full.arrayBuffer())).metadata()).width).toBe(128);
    expect((await get(`/media/image?${mediaQuery({ folder, key: "no-such" })}`)).status).toBe(404);
  });

  it("answers Range requests (video seeking) and refuses files outside the root", async () => {
    const file = join(root, "secret.txt");
    const part = await get(`/media/file?${mediaQuery({ path: file })}`, { headers: { Range: "bytes=8-13" } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe("the re");
    expect((await get(`/media/file?${mediaQuery({ path: "/etc/passwd" })}`)).status).toBe(403);
  });

  it("stores an upload under <root>/uploads and answers its path", async () => {
    const bytes = Buffer.from("a dropped video's bytes");
    const res = await get(`/media/upload?${mediaQuery({ name: "../clip.mp4" })}`, {
      method: "POST",
      body: bytes,
      duplex: "half",
    });
    expect(res.status).toBe(200);
    const { path } = (await res.json()) as { path: string };
    expect(path).toBe(join(root, "uploads", "clip.mp4"));
    expect(await readFile(path)).toEqual(bytes);
  });
});
