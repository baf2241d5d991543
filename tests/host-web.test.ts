/**
 * The web host's HTTP side on a real server (127.0.0.1, a free port): the media routes, the static
 * renderer, token authentication and host checks, and the `azaion serve` command itself.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MEDIA, mediaQuery, type DatasetFolder } from "../src-workers/host/contract/index.js";
import { startWebHost, type WebHost } from "../src-workers/host/web/server.js";
import type { HostApi } from "../src-workers/host/api/host-api.js";
import { repoRoot } from "./support/cli.js";
import { HostClient } from "./support/host-client.js";
import { startHostFixture, type HostFixture } from "./support/host-fixture.js";

let fx: HostFixture;
let root: string;
let ui: string;
let api: HostApi;
let web: WebHost;
let client: HostClient;
let base: string;
let data: DatasetFolder;

beforeAll(async () => {
  fx = await startHostFixture("host-web");
  ({ root, ui, api, web, client, base } = fx);
  data = await client.call("dataset.open", { path: join(root, "data") });
  // A run's CSV for the file route.
  await mkdir(join(root, "runs", "r1"), { recursive: true });
  await writeFile(join(root, "runs", "r1", "results.csv"), "epoch,time\n1,1.5\n");
});
afterAll(() => fx?.close());

describe("media routes", () => {
  const q = (p: Record<string, string | number>) => mediaQuery(p);

  it("thumb: a JPEG of the asked size, cached; image: the file itself", async () => {
    const page = await client.call("dataset.query", { folder: data.id, limit: 1 });
    const key = page.items[0]!.key;
    const r = await fetch(`${base}${MEDIA.thumb}?${q({ folder: data.id, key, size: 64 })}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("image/jpeg");
    const meta = await sharp(Buffer.from(await r.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 64, 64]);
    const again = await fetch(`${base}${MEDIA.thumb}?${q({ folder: data.id, key, size: 64 })}`, {
      headers: { "If-None-Match": r.headers.get("etag")! },
    });
    expect(again.status).toBe(304);
    expect((await readdir(join(root, ".cache", "thumbs"))).length).toBeGreaterThan(0);
    const tooBig = await fetch(`${base}${MEDIA.thumb}?${q({ folder: data.id, key, size: 99999 })}`);
    expect(tooBig.status).toBe(400);
    const img = await fetch(`${base}${MEDIA.image}?${q({ folder: data.id, key })}`);
    expect(img.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await img.arrayBuffer())).toEqual(
      await readFile(join(root, "data", "images", page.items[0]!.file)),
    );
    expect((await fetch(`${base}${MEDIA.image}?${q({ folder: data.id, key: "nope" })}`)).status).toBe(404);
  });

  it("file: Range requests, download names, and 403 outside the allowed folders", async () => {
    const file = join(root, "data", "images", (await readdir(join(root, "data", "images"))).sort()[0]!);
    const bytes = await readFile(file);
    const part = await fetch(`${base}${MEDIA.file}?${q({ path: file })}`, {
      headers: { Range: "bytes=10-19" },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 10-19/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(10, 20));
    const tail = await fetch(`${base}${MEDIA.file}?${q({ path: file })}`, { headers: { Range: "bytes=-5" } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 5));
    const beyond = await fetch(`${base}${MEDIA.file}?${q({ path: file })}`, {
      headers: { Range: `bytes=${bytes.length}-` },
    });
    expect(beyond.status).toBe(416);
    const dl = await fetch(`${base}${MEDIA.file}?${q({ path: file, download: 1 })}`);
    expect(dl.headers.get("content-disposition")).toContain("attachment");
    expect(dl.headers.get("accept-ranges")).toBe("bytes");
    const csv = join(root, "runs", "r1", "results.csv");
    expect((await fetch(`${base}${MEDIA.file}?${q({ path: csv })}`)).headers.get("content-type")).toContain(
      "text/csv",
    );
    const outside = await fetch(`${base}${MEDIA.file}?${q({ path: "/etc/hostname" })}`);
    expect(outside.status).toBe(403);
    const sneaky = await fetch(`${base}${MEDIA.file}?${q({ path: `${root}/../../etc/hostname` })}`);
    expect(sneaky.status).toBe(403);
    expect((await fetch(`${base}/media/nothing`)).status).toBe(404);
  });

  it("upload: streams a body to <root>/uploads under a safe, unique name", async () => {
    const body = Buffer.from("fake video bytes ".repeat(1000));
    const up = async (name: string) => {
      const r = await fetch(`${base}${MEDIA.upload}?${q({ name })}`, { method: "POST", body });
      expect(r.status).toBe(200);
      return ((await r.json()) as { path: string }).path;
    };
    const a = await up("../../evil name.mp4");
    expect(a).toBe(join(root, "uploads", "evil_name.mp4"));
    expect(await readFile(a)).toEqual(body);
    const b = await up("evil name.mp4");
    expect(b).toBe(join(root, "uploads", "evil_name-1.mp4"));
    const served = await fetch(`${base}${MEDIA.file}?${q({ path: b })}`);
    expect(served.headers.get("content-type")).toBe("video/mp4");
    expect((await fetch(`${base}${MEDIA.upload}?name=x`)).status).toBe(405);
  });
});

describe("static renderer", () => {
  it("serves index.html for the app's routes, hashed assets for a year, 404 for missing assets", async () => {
    const index = await fetch(`${base}/`);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(await index.text()).toContain("<title>azaion</title>");
    expect(await (await fetch(`${base}/train/history`)).text()).toContain("<title>azaion</title>");
    const asset = await fetch(`${base}/assets/index-Bq3xY7aK.js`);
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    // A path that climbs out of the renderer's folder never reaches the file.
    for (const p of [
      "/%2e%2e/%2e%2e/etc/passwd",
      "/..%2f..%2fetc%2fpasswd",
      "/assets/..%5c..%5cetc%5cpasswd",
    ]) {
      const r = await fetch(`${base}${p}`);
      expect(await r.text()).not.toContain("root:");
    }
  });
});

describe("token authentication", () => {
  it("loopback with a token given: 401 without it; ok by ?token (then the cookie) or Bearer; WebSocket too", async () => {
    const token = "s3cret-token-for-tests";
    const host = await startWebHost({ api, staticDir: ui, port: 0, token });
    const b = `http://127.0.0.1:${host.port}`;
    try {
      expect(host.url).toBe(`${b}/?token=${token}`);
      expect((await fetch(`${b}/`)).status).toBe(401);
      expect((await fetch(`${b}/?token=wrong`)).status).toBe(401);
      const first = await fetch(`${b}/?token=${token}`);
      expect(first.status).toBe(200);
      const cookie = first.headers.get("set-cookie")!;
      expect(cookie).toContain("HttpOnly");
      expect(cookie).toContain("SameSite=Strict");
      const jar = cookie.split(";")[0]!;
      expect((await fetch(`${b}/`, { headers: { Cookie: jar } })).status).toBe(200);
      expect(
        (
          await fetch(
            `${b}${MEDIA.file}?path=${encodeURIComponent(join(root, "runs", "r1", "results.csv"))}`,
            { headers: { Authorization: `Bearer ${token}` } },
          )
        ).status,
      ).toBe(200);
      expect(
        (await fetch(`${b}${MEDIA.file}?path=${encodeURIComponent(join(root, "runs", "r1", "results.csv"))}`))
          .status,
      ).toBe(401);
      await expect(HostClient.connect(`ws://127.0.0.1:${host.port}/ws`)).rejects.toThrow("401");
      const ok = await HostClient.connect(`ws://127.0.0.1:${host.port}/ws`, { headers: { Cookie: jar } });
      expect(await ok.call("app.ping")).toEqual({ ok: true });
      ok.close();
      const viaQuery = await HostClient.connect(`ws://127.0.0.1:${host.port}/ws?token=${token}`);
      expect(await viaQuery.call("app.ping")).toEqual({ ok: true });
      viaQuery.close();
      // Another site's page in the same browser carries the cookie, but not our Origin.
      await expect(
        HostClient.connect(`ws://127.0.0.1:${host.port}/ws`, {
          headers: { Cookie: jar, Origin: "http://evil.example" },
        }),
      ).rejects.toThrow("403");
      const sameOrigin = await HostClient.connect(`ws://127.0.0.1:${host.port}/ws`, {
        headers: { Cookie: jar, Origin: `http://127.0.0.1:${host.port}` },
      });
      sameOrigin.close();
    } finally {
      await host.close();
    }
  });

  it("any other address gets a generated token; loopback without one needs none", async () => {
    const host = await startWebHost({ api, staticDir: ui, host: "0.0.0.0", port: 0 });
    try {
      expect(host.token).toMatch(/^[\w-]{20,}$/);
      expect(host.url).toContain(`?token=${host.token}`);
      const b = `http://127.0.0.1:${host.port}`;
      expect((await fetch(`${b}/`)).status).toBe(401);
      expect((await fetch(`${b}/`, { headers: { Authorization: `Bearer ${host.token}` } })).status).toBe(200);
    } finally {
      await host.close();
    }
    expect(web.token).toBeUndefined();
    expect((await fetch(`${base}/`)).status).toBe(200);
  });

  it("without a token, only loopback host names are answered (no DNS rebinding)", async () => {
    const { request } = await import("node:http");
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const r = request(
          { host: "127.0.0.1", port: web.port, path: "/", headers: { Host: host } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        r.on("error", reject);
        r.end();
      });
    expect(await status(`evil.example:${web.port}`)).toBe(403);
    expect(await status(`localhost:${web.port}`)).toBe(200);
    expect(await status(`[::1]:${web.port}`)).toBe(200);
    await expect(
      HostClient.connect(`ws://127.0.0.1:${web.port}/ws`, {
        headers: { Host: `evil.example:${web.port}`, Origin: `http://evil.example:${web.port}` },
      }),
    ).rejects.toThrow("403");
  });

  it("a socket that sends garbage HTTP does not bring the server down", async () => {
    const { connect } = await import("node:net");
    await new Promise<void>((resolve) => {
      const s = connect(web.port, "127.0.0.1", () => s.end("GARBAGE \x00\x01\r\n\r\n"));
      s.on("close", () => resolve());
      s.on("error", () => resolve());
      s.resume();
    });
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/elsewhere`);
    await new Promise((r) => ws.once("error", r));
    expect(await client.call("app.ping")).toEqual({ ok: true });
  });
});

describe("azaion serve", () => {
  /** Starts the real binary; resolves with the URL it prints. */
  function serve(args: string[]): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
    const child = spawn(
      process.execPath,
      [join(repoRoot, "bin", "azaion.js"), "--root", root, "serve", "--port", "0", ...args],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, OMP_NUM_THREADS: "1" },
      },
    );
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    return new Promise((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /azaion serve: (\S+)/.exec(out);
        if (m) resolve({ url: m[1]!, child, stderr: () => err });
      });
      child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
  }
  const exit = (child: ChildProcess) =>
    new Promise<number | null>((r) => child.once("exit", (code) => r(code)));

  it("prints its URL, answers the API, says how to build a missing UI and stops on SIGTERM", async () => {
    const { url, child, stderr } = await serve(["--ui", join(root, "no-ui")]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const c = await HostClient.connect(`${url.replace("http", "ws")}ws`);
    expect((await c.call("app.info")).root).toBe(root);
    c.close();
    const page = await fetch(url);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("the UI is not built");
    expect(stderr()).toContain("npm run build:renderer");
    const ended = exit(child);
    child.kill("SIGTERM");
    expect(await ended).toBe(0);
  });

  it("off loopback prints a URL with a generated token, or uses AZAION_SERVE_TOKEN", async () => {
    const { url, child } = await serve(["--host", "0.0.0.0"]);
    const token = new URL(url).searchParams.get("token");
    expect(token).toMatch(/^[\w-]{20,}$/);
    const port = new URL(url).port;
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/?token=${token}`)).status).not.toBe(401);
    const ended = exit(child);
    child.kill("SIGINT");
    expect(await ended).toBe(0);
    const bad = spawn(process.execPath, [join(repoRoot, "bin", "azaion.js"), "serve", "--token", "short"], {
      stdio: "ignore",
    });
    expect(await exit(bad)).toBe(2);
  });
});
