/** The sandboxed preload repeats the channel names (it can require nothing): they must agree. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IPC, MEDIA_BASE } from "./ipc-channels.js";
import { APP_ORIGIN } from "./csp.js";
import { menuTemplate } from "./menu.js";

describe("preload and main agree", () => {
  it("uses the same channel names and media base", () => {
    const preload = readFileSync(join(import.meta.dirname, "preload.cts"), "utf8");
    const constant = (name: string) => new RegExp(`const ${name} = "([^"]+)"`).exec(preload)?.[1];
    expect(constant("INVOKE")).toBe(IPC.invoke);
    expect(constant("PUSH")).toBe(IPC.push);
    expect(constant("WORKER_PORT")).toBe(IPC.workerPort);
    expect(constant("MEDIA_BASE")).toBe(MEDIA_BASE);
    expect(MEDIA_BASE).toBe(APP_ORIGIN);
    // Nothing but Electron is required (a sandboxed preload has no other module).
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(["electron"]);
  });
});

describe("menu", () => {
  it("has File (open data root, quit), View (reload, devtools, zoom) and Help (about)", () => {
    const calls: string[] = [];
    const t = menuTemplate(
      { openDataRoot: () => calls.push("open"), about: () => calls.push("about") },
      "linux",
    );
    const sub = (label: string) => {
      const m = t.find((i) => i.label?.replace("&", "") === label);
      return (m?.submenu ?? []) as { label?: string; role?: string; click?: () => void }[];
    };
    const file = sub("File");
    file.find((i) => i.label?.startsWith("Open Data Root"))!.click!();
    expect(file.map((i) => i.role).filter(Boolean)).toEqual(["quit"]);
    expect(sub("View").map((i) => i.role)).toEqual(
      expect.arrayContaining(["reload", "toggleDevTools", "zoomIn", "zoomOut", "resetZoom"]),
    );
    sub("Help")[0]!.click!();
    expect(calls).toEqual(["open", "about"]);
  });
});
