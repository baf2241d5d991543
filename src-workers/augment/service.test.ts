import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inProcessRunner } from "./pool.js";
import { AugmentService, type AugmentEvent } from "./service.js";
import { augmentPaths } from "./state.js";
import { BOX, flipVariant, putSource } from "./test-support.js";

let dir: string;
let src: string;
let out: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-augment-"));
  src = join(dir, "data");
  out = join(dir, "data-processed");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pass(seed = 0, events: AugmentEvent[] = []) {
  const runner = inProcessRunner(flipVariant, out, 3);
  const service = new AugmentService({
    source: src,
    out,
    seed,
    runner,
    mode: "once",
    onEvent: (e) => events.push(e),
  });
  return { status: await service.run(), events, quarantine: service.quarantined.list() };
}

const list = async (d: string) => (await readdir(d)).sort();

async function snapshot(): Promise<Map<string, Buffer>> {
  const m = new Map<string, Buffer>();
  for (const sub of ["images", "labels"])
    for (const n of await list(join(out, sub))) m.set(`${sub}/${n}`, await readFile(join(out, sub, n)));
  return m;
}

describe("augment service", () => {
  it("writes 8 pairs per source: original + 7 variants, labels transformed", async () => {
    await putSource(src, "a", 1, BOX);
    await putSource(src, "bg", 2); // no label file: background
    await putSource(src, "empty", 3, ""); // empty label: no objects
    const { status } = await pass();
    expect(status).toMatchObject({ processed: 3, failed: 0, quarantined: 0, state: "stopped" });
    const images = await list(join(out, "images"));
    expect(images).toHaveLength(24);
    expect(images.slice(0, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => `a_aug${k}.jpg`));
    expect(await list(join(out, "labels"))).toEqual(images.map((n) => n.replace(".jpg", ".txt")));
    expect(await readFile(join(out, "labels", "a_aug0.txt"), "utf8")).toBe(BOX);
    expect(await readFile(join(out, "labels", "a_aug3.txt"), "utf8")).toBe(
      "0 0.750000 0.500000 0.200000 0.300000\n",
    );
    expect(await readFile(join(out, "labels", "bg_aug5.txt"), "utf8")).toBe("");
    expect(await readFile(join(out, "labels", "empty_aug0.txt"), "utf8")).toBe("");
    // The original JPEG is kept byte for byte (no second lossy encode).
    expect(await readFile(join(out, "images", "a_aug0.jpg"))).toEqual(
      await readFile(join(src, "images", "a.jpg")),
    );
    const meta = await sharp(join(out, "images", "a_aug7.jpg")).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([64, 48, "jpeg"]);
    const status2 = JSON.parse(await readFile(augmentPaths(out).status, "utf8")) as Record<string, unknown>;
    expect(status2).toMatchObject({ state: "stopped", processed: 3, queue: 0, mode: "once" });
    expect(await list(augmentPaths(out).meta)).not.toContain("lock");
  });

  it("is idempotent: a second pass skips everything and changes no byte", async () => {
    await putSource(src, "a", 1, BOX);
    await putSource(src, "b", 2, BOX);
    await pass();
    const before = await snapshot();
    const mtime = (await stat(join(out, "images", "a_aug1.jpg"))).mtimeMs;
    const { status } = await pass();
    expect(status).toMatchObject({ processed: 0, skipped: 2 });
    expect(await snapshot()).toEqual(before);
    expect((await stat(join(out, "images", "a_aug1.jpg"))).mtimeMs).toBe(mtime);
  });

  it("is deterministic per seed, and another seed reprocesses", async () => {
    await putSource(src, "a", 1, BOX);
    await pass(5);
    const first = await snapshot();
    await rm(out, { recursive: true });
    await pass(5);
    expect(await snapshot()).toEqual(first);
    const { status } = await pass(6);
    expect(status.processed).toBe(1);
    expect((await snapshot()).get("images/a_aug2.jpg")).not.toEqual(first.get("images/a_aug2.jpg"));
  });

  it("reprocesses an edited label; a touched but unchanged file is not redone", async () => {
    await putSource(src, "a", 1, BOX);
    await putSource(src, "b", 2, BOX);
    await pass();
    await writeFile(join(src, "labels", "a.txt"), "1 0.500000 0.500000 0.100000 0.100000\n");
    const bTime = (await stat(join(out, "images", "b_aug1.jpg"))).mtimeMs;
    await writeFile(join(src, "labels", "b.txt"), BOX); // same content, new mtime
    const { status } = await pass();
    expect(status).toMatchObject({ processed: 1, skipped: 1 });
    expect((await stat(join(out, "images", "b_aug1.jpg"))).mtimeMs).toBe(bTime);
    expect(await readFile(join(out, "labels", "a_aug0.txt"), "utf8")).toMatch(/^1 0.500000/);
  });

  it("removes the outputs of a deleted source and reports it", async () => {
    await putSource(src, "a", 1, BOX);
    await putSource(src, "b", 2, BOX);
    await pass();
    await rm(join(src, "images", "a.jpg"));
    const { status, events } = await pass();
    expect(status.removed).toBe(1);
    expect(events).toContainEqual({ type: "removed", stem: "a", files: 8 });
    expect((await list(join(out, "images"))).filter((n) => n.startsWith("a_"))).toEqual([]);
    expect((await list(join(out, "labels"))).filter((n) => n.startsWith("a_"))).toEqual([]);
    expect(await list(augmentPaths(out).state)).toEqual(["b.json"]);
  });

  it("quarantines bad sources with the reason and goes on with the rest", async () => {
    await putSource(src, "good", 1, BOX);
    await putSource(src, "badclass", 2, `${BOX}93 0.5 0.5 0.1 0.1\n`);
    await putSource(src, "corrupt", 3, BOX);
    const jpeg = await readFile(join(src, "images", "corrupt.jpg"));
    await writeFile(join(src, "images", "corrupt.jpg"), jpeg.subarray(0, 300));
    await putSource(src, "dup", 4, BOX);
    await writeFile(join(src, "images", "dup.png"), await sharp(jpeg).png().toBuffer());
    const { status, quarantine } = await pass();
    expect(status).toMatchObject({ processed: 1, failed: 3, quarantined: 3 });
    const reasons = Object.fromEntries(quarantine.map((q) => [q.stem, q.reason]));
    expect(reasons.badclass).toMatch(/badclass\.txt:2: class 93 is outside/);
    expect(reasons.corrupt).toMatch(/truncated|corrupt|decode/);
    expect(reasons.dup).toMatch(/2 images share the stem "dup"/);
    const onDisk = JSON.parse(await readFile(augmentPaths(out).quarantine, "utf8")) as { count: number };
    expect(onDisk.count).toBe(3);
    expect(await list(join(out, "images"))).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => `good_aug${k}.jpg`));

    // Unchanged bad files are not retried; a fixed one leaves the quarantine.
    expect((await pass()).status).toMatchObject({ processed: 0, failed: 0, skipped: 4, quarantined: 3 });
    await writeFile(join(src, "labels", "badclass.txt"), BOX);
    expect((await pass()).status).toMatchObject({ processed: 1, quarantined: 2 });
  });

  it("removes the outputs of a source whose label turns bad", async () => {
    await putSource(src, "a", 1, BOX);
    await pass();
    await writeFile(join(src, "labels", "a.txt"), "0 0.5 0.5\n");
    const { quarantine } = await pass();
    expect(quarantine[0]?.reason).toMatch(/a\.txt:1: expected 5 fields/);
    expect(await list(join(out, "images"))).toEqual([]);
    expect(await list(join(out, "labels"))).toEqual([]);
  });

  it("recovers from a crash: redoes a source whose record is pending and clears temporary files", async () => {
    await putSource(src, "a", 1, BOX);
    await putSource(src, "b", 2, BOX);
    await pass();
    const good = await snapshot();
    // As a crash mid-commit of "a" leaves it: pending record, a label without its image, a temp file, a stale lock.
    const p = augmentPaths(out);
    const rec = JSON.parse(await readFile(join(p.state, "a.json"), "utf8")) as Record<string, unknown>;
    await writeFile(join(p.state, "a.json"), JSON.stringify({ ...rec, hash: null }));
    await rm(join(out, "images", "a_aug4.jpg"));
    await writeFile(join(p.tmp, "a_aug4.x.jpg"), "half");
    await writeFile(p.lock, "999999999\n");
    const { status } = await pass();
    expect(status).toMatchObject({ processed: 1, skipped: 1 });
    expect(await snapshot()).toEqual(good);
    expect(await list(p.tmp).catch(() => [])).toEqual([]);
  });

  it("refuses to run while another live service holds the lock", async () => {
    await putSource(src, "a", 1, BOX);
    await pass();
    await writeFile(augmentPaths(out).lock, `${process.ppid}\n`);
    await expect(pass()).rejects.toThrow(/another augment service/);
  });
});
