/** The quarantine list on disk after saves that overlap (results of concurrent jobs). */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Quarantine } from "./quarantine.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-quarantine-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const entry = (stem: string) => ({
  stem,
  file: `${stem}.jpg`,
  reason: "bad",
  imageSig: null,
  labelSig: null,
});

describe("Quarantine.save", () => {
  it("leaves the newest list on disk when saves overlap, and a save with nothing new waits for them", async () => {
    const file = join(dir, "q.json");
    const q = await Quarantine.load(file);
    const saves: Promise<void>[] = [];
    for (let k = 0; k < 20; k++) {
      q.add(entry(`s${k}`));
      saves.push(q.save()); // not awaited: each job saves as its result arrives
    }
    await q.save(); // nothing new: must not return before the writes above are on disk
    const onDisk = JSON.parse(await readFile(file, "utf8")) as { count: number; files: { stem: string }[] };
    expect(onDisk.count).toBe(20);
    expect(onDisk.files.map((f) => f.stem).sort()).toEqual([...Array(20).keys()].map((k) => `s${k}`).sort());
    await Promise.all(saves);
    expect((await Quarantine.load(file)).size).toBe(20);
  });
});
