import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classCatalog } from "../../core/classes.js";
import { UsageError } from "../../core/errors.js";
import { boxMatches, buildFilter, seededSample, selectItems } from "./select.js";
import { listSource } from "./source.js";
import { tempDir, writeDataset, writeFolder } from "./test-fixtures.js";

const catalog = classCatalog();
// Truck is base 1; Night adds 40, Wint 20.
const TRUCK = 1;
const TRUCK_NIGHT = 41;
const SMOKE_WINT = 29;

describe("filters", () => {
  it("matches a base name in every mode, a display name in one", () => {
    const base = buildFilter(catalog, ["truck"], []);
    expect([TRUCK, TRUCK_NIGHT].map((id) => boxMatches(base, catalog, id))).toEqual([true, true]);
    expect(boxMatches(base, catalog, SMOKE_WINT)).toBe(false);
    const display = buildFilter(catalog, ["Truck (Night)"], []);
    expect([TRUCK, TRUCK_NIGHT].map((id) => boxMatches(display, catalog, id))).toEqual([false, true]);
  });

  it("combines class and mode, and a mode alone", () => {
    const f = buildFilter(catalog, ["Truck"], ["Night"]);
    expect([TRUCK, TRUCK_NIGHT].map((id) => boxMatches(f, catalog, id))).toEqual([false, true]);
    const wint = buildFilter(catalog, [], ["wint"]);
    expect([TRUCK, SMOKE_WINT].map((id) => boxMatches(wint, catalog, id))).toEqual([false, true]);
    expect(boxMatches(buildFilter(catalog, [], []), catalog, TRUCK)).toBe(true);
  });

  it("refuses unknown names with a usage error", () => {
    expect(() => buildFilter(catalog, ["Tank"], [])).toThrow(UsageError);
    expect(() => buildFilter(catalog, [], ["Dusk"])).toThrow(/Norm, Wint, Night/);
  });
});

describe("seededSample", () => {
  const items = Array.from({ length: 100 }, (_, i) => i);
  it("is deterministic, keeps order, and varies with the seed", () => {
    const a = seededSample(items, 10, 7);
    expect(a).toHaveLength(10);
    expect(seededSample(items, 10, 7)).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(new Set(a).size).toBe(10);
    expect(seededSample(items, 10, 8)).not.toEqual(a);
    expect(seededSample(items.slice(0, 5), 10, 7)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("sources and selection", () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir();
    const imgs = [
      { name: "a.png", colour: "#333333", labels: `${TRUCK} 0.5 0.5 0.2 0.2\n` },
      {
        name: "b.png",
        colour: "#333333",
        labels: `${TRUCK_NIGHT} 0.5 0.5 0.2 0.2\n${SMOKE_WINT} 0.2 0.2 0.1 0.1\n`,
      },
      { name: "c.png", colour: "#333333", labels: "" },
      { name: "d.png", colour: "#333333" },
      { name: "notes.txt", colour: "#000000", bytes: Buffer.from("not an image") },
    ];
    await writeFolder(join(root, "folder"), imgs);
    await writeDataset(join(root, "ds"), { train: imgs.slice(0, 2), valid: imgs.slice(2, 3) });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("lists a plain folder's images in name order, skipping other files", async () => {
    const l = await listSource(join(root, "folder"));
    expect(l.kind).toBe("folder");
    expect(l.entries.map((e) => e.name)).toEqual(["a.png", "b.png", "c.png", "d.png"]);
    expect(l.entries[0]!.label).toBe(join(root, "folder", "labels", "a.txt"));
  });

  it("lists a dataset by split, and refuses splits it lacks or a split on a folder", async () => {
    const all = await listSource(join(root, "ds"));
    expect(all.kind).toBe("dataset");
    expect(all.splits).toEqual(["train", "valid"]);
    expect(all.entries.map((e) => `${e.split}/${e.name}`)).toEqual([
      "train/a.png",
      "train/b.png",
      "valid/c.png",
    ]);
    expect((await listSource(join(root, "ds"), ["valid"])).entries).toHaveLength(1);
    await expect(listSource(join(root, "ds"), ["test"])).rejects.toThrow(/no test subset/);
    await expect(listSource(join(root, "folder"), ["train"])).rejects.toThrow(UsageError);
    await expect(listSource(join(root, "missing"))).rejects.toThrow(/does not exist/);
    await expect(listSource(join(root, "folder", "images"))).rejects.toThrow(/neither an images/);
  });

  it("keeps only images with a matching box when filtered", async () => {
    const { entries } = await listSource(join(root, "folder"));
    const all = await selectItems(entries, catalog, buildFilter(catalog, [], []), 10, 1);
    expect(all.items.map((i) => i.name)).toEqual(["a.png", "b.png", "c.png", "d.png"]);
    expect(all.items.map((i) => i.hasLabel)).toEqual([true, true, true, false]);
    const night = await selectItems(entries, catalog, buildFilter(catalog, [], ["Night"]), 10, 1);
    expect(night.items.map((i) => i.name)).toEqual(["b.png"]);
    const trucks = await selectItems(entries, catalog, buildFilter(catalog, ["Truck"], []), 1, 1);
    expect(trucks.matched).toBe(2);
    expect(trucks.items).toHaveLength(1);
  });
});
