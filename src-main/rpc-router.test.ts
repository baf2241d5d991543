/** The router in front of the real host API (the object `azaion serve` uses), on a temporary root. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WebContents } from "electron";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src-workers/core/config.js";
import { createHostApi, type HostApi } from "../src-workers/host/api/host-api.js";
import type { HostEvent } from "../src-workers/host/contract/rpc.js";
import { forkLauncher } from "../src-workers/host/jobs/launcher.js";
import { IPC } from "./ipc-channels.js";
import { pushToWindows, routeInvoke } from "./rpc-router.js";

let root: string;
let api: HostApi;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "azaion-router-"));
  api = createHostApi({ root, config: { ...loadConfig(), root }, launcher: forkLauncher, host: "electron" });
});
afterAll(async () => {
  await api.close();
  await rm(root, { recursive: true, force: true });
});

const APP = "azaion-media://app/index.html";

describe("IPC router", () => {
  it("answers the app's calls with the host API's results", async () => {
    expect(await routeInvoke(api, APP, "app.ping", {})).toEqual({ ok: true, result: { ok: true } });
    const info = await routeInvoke(api, APP, "app.info", undefined);
    expect(info.ok).toBe(true);
    expect(info.ok && (info.result as { host: string; root: string })).toMatchObject({
      host: "electron",
      root,
    });
  });

  it("names the field of bad params and refuses unknown methods", async () => {
    const r = await routeInvoke(api, APP, "dataset.query", { folder: "x", limit: -3 });
    expect(r).toMatchObject({ ok: false, error: { code: "bad_request" } });
    expect(!r.ok && r.error.message).toMatch(/limit/);
    expect(await routeInvoke(api, APP, "system.exec", {})).toMatchObject({
      ok: false,
      error: { code: "bad_request" },
    });
    expect(await routeInvoke(api, APP, 42, {})).toMatchObject({ ok: false, error: { code: "bad_request" } });
  });

  it("refuses calls from any frame that is not the app", async () => {
    for (const url of ["https://example.invalid/", "file:///etc/passwd", "azaion-media://evil/x", ""])
      expect(await routeInvoke(api, url, "app.ping", {})).toMatchObject({
        ok: false,
        error: { code: "unauthorised" },
      });
  });

  it("pushes host events to app windows, except job events their own worker port already carries", () => {
    const sent: [string, HostEvent][] = [];
    const window = (url: string): WebContents =>
      ({
        isDestroyed: () => false,
        getURL: () => url,
        send: (ch: string, e: HostEvent) => sent.push([ch, e]),
      }) as unknown as WebContents;
    const push = pushToWindows(
      () => [window(APP), window("https://example.invalid/")],
      (id) => id === "direct",
    );
    const log = { type: "log" as const, stream: "stdout" as const, line: "hi" };
    push({ event: "job.event", jobId: "direct", data: log });
    push({ event: "job.event", jobId: "relayed", data: log });
    push({ event: "dataset.changed", folder: "f", keys: ["a"] });
    expect(sent).toEqual([
      [IPC.push, { event: "job.event", jobId: "relayed", data: log }],
      [IPC.push, { event: "dataset.changed", folder: "f", keys: ["a"] }],
    ]);
  });
});
