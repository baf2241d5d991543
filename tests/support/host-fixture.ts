/**
 * A web host for tests: a data root made by `azaion synth` + `azaion split` (one label in data/ given a
 * class outside the table), a stand-in renderer build, the host API with child-process workers, a real
 * server on 127.0.0.1 (a free port) and a WebSocket client. Everything is removed by close().
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { loadConfig } from "../../src-workers/core/config.js";
import { createHostApi, type HostApi } from "../../src-workers/host/api/host-api.js";
import { forkLauncher } from "../../src-workers/host/jobs/launcher.js";
import { startWebHost, type WebHost } from "../../src-workers/host/web/server.js";
import { azaion } from "./cli.js";
import { HostClient } from "./host-client.js";

export const COUNT = 24;
export const SIZE = 96;

export interface HostFixture {
  readonly root: string;
  /** The stand-in renderer build: index.html and one hashed asset. */
  readonly ui: string;
  readonly api: HostApi;
  readonly web: WebHost;
  readonly client: HostClient;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  /** The stem whose data/labels file has a bad line. */
  readonly badStem: string;
  close(): Promise<void>;
}

export async function startHostFixture(name: string): Promise<HostFixture> {
  const root = await mkdtemp(join(tmpdir(), `azaion-${name}-`));
  const synth = await azaion(["--root", root, "synth", "--count", String(COUNT), "--size", String(SIZE)]);
  expect(synth.code, synth.stderr).toBe(0);
  const split = await azaion(["--root", root, "split"]);
  expect(split.code, split.stderr).toBe(0);
  // One label with a class outside the table, after the split (the split dataset stays clean).
  const labels = (await readdir(join(root, "data", "labels"))).sort();
  const badStem = labels[0]!.slice(0, -4);
  const file = join(root, "data", "labels", labels[0]!);
  await writeFile(file, `${await readFile(file, "utf8")}93 0.5 0.5 0.1 0.1\n`);

  const ui = join(root, "ui");
  await mkdir(join(ui, "assets"), { recursive: true });
  await writeFile(join(ui, "index.html"), "<!doctype html><title>azaion</title>");
  await writeFile(join(ui, "assets", "index-Bq3xY7aK.js"), "console.log(1)");

  const config = loadConfig();
  config.root = root;
  const api = createHostApi({ root, config, launcher: forkLauncher });
  const web = await startWebHost({ api, staticDir: ui, port: 0 });
  const client = await HostClient.connect(`ws://127.0.0.1:${web.port}/ws`);
  return {
    root,
    ui,
    api,
    web,
    client,
    base: `http://127.0.0.1:${web.port}`,
    badStem,
    async close() {
      client.close();
      await api.close();
      await web.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
