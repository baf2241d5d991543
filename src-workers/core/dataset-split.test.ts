import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { classCatalog } from "./classes.js";
import { tempFixture } from "./dataset-fixture.js";
import { scanDataset } from "./dataset-scan.js";
import { assignGroups, SplitCollector, SUBSETS, type Subset } from "./dataset-split.js";
import { writeDataset } from "./dataset-write.js";
import { imageLabelDirs } from "./layout.js";
import { ProblemLog } from "./problems.js";

const fractions = { train: 0.7, valid: 0.2, test: 0.1 };

/** 300 groups of 1-8 images (sizes vary like a partly augmented set). */
function groups(reverse = false): Map<string, number> {
  const keys = Array.from({ length: 300 }, (_, i) => `img${String(i).padStart(4, "0")}`);
  if (reverse) keys.reverse();
  return new Map(keys.map((k) => [k, 1 + (Number(k.slice(3)) % 8)]));
}

describe("assignGroups", () => {
  it("is deterministic for a seed and independent of listing order", () => {
    const a = assignGroups(groups(), fractions, 7);
    const b = assignGroups(groups(true), fractions, 7);
    expect([...a].sort()).toEqual([...b].sort());
    const c = assignGroups(groups(), fractions, 8);
    expect([...a].sort()).not.toEqual([...c].sort());
  });

  it("meets each fraction to within one group", () => {
    const g = groups();
    const total = [...g.values()].reduce((x, y) => x + y, 0);
    const biggest = Math.max(...g.values());
    for (const seed of [0, 1, 2, 3]) {
      const counts: Record<Subset, number> = { train: 0, valid: 0, test: 0 };
      for (const [k, s] of assignGroups(g, fractions, seed)) counts[s] += g.get(k)!;
      for (const s of SUBSETS)
        expect(Math.abs(counts[s] - fractions[s] * total), `${s} seed ${seed}`).toBeLessThanOrEqual(biggest);
    }
  });
});

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function collect(dir: string): Promise<{ collector: SplitCollector; log: ProblemLog }> {
  const log = new ProblemLog();
  const collector = new SplitCollector();
  for await (const e of scanDataset(imageLabelDirs(dir), { catalog: classCatalog(), log })) collector.add(e);
  return { collector, log };
}

describe("split on disk", () => {
  it("keeps augmented copies with their source, links files, rewrites clipped labels, writes data.yaml", async () => {
    const images: Record<string, { w: number; h: number }> = {};
    const labels: Record<string, string> = {};
    for (let i = 0; i < 20; i++) {
      for (const suffix of ["", "_aug1", "_aug2"]) {
        images[`s${i}${suffix}.jpg`] = { w: 32, h: 32 };
        labels[`s${i}${suffix}.txt`] = "0 0.5 0.5 0.2 0.2\n";
      }
    }
    labels["s0.txt"] = "1 0.95 0.5 0.2 0.2\n"; // sticks out: clipped
    delete labels["s1.txt"]; // background
    images["bad.jpg"] = { w: 32, h: 32 };
    labels["bad.txt"] = "93 0.5 0.5 0.1 0.1\n";
    const src = await tempFixture({ images, labels });
    dirs.push(src);
    const { collector, log } = await collect(src);
    expect(collector.items).toHaveLength(60);
    expect(collector.leftOut).toBe(1);
    expect(log.errors).toBe(1);
    const out = join(src, "datasets", "azaion-test");
    const res = await writeDataset(collector.plan(fractions, 0), out, { catalog: classCatalog() });
    expect(res.linked + res.copied).toBe(60 + 58); // all images; labels but the rewritten and the missing one
    expect(SUBSETS.map((s) => res.counts[s].images).reduce((a, b) => a + b)).toBe(60);

    const where = new Map<string, Subset>();
    for (const s of SUBSETS) {
      const names = await readdir(join(out, s, "images"));
      expect((await readdir(join(out, s, "labels"))).sort()).toEqual(
        names.map((n) => n.replace(".jpg", ".txt")).sort(),
      );
      for (const n of names) {
        const group = n.replace(/(_aug\d+)?\.jpg$/, "");
        expect(where.get(group) ?? s, `group ${group} split across subsets`).toBe(s);
        where.set(group, s);
      }
    }
    expect(where.size).toBe(20);
    expect(where.has("bad")).toBe(false);

    const s0 = where.get("s0")!;
    expect(await readFile(join(out, s0, "labels", "s0.txt"), "utf8")).toBe(
      "1 0.925000 0.500000 0.150000 0.200000\n",
    );
    expect(await readFile(join(out, where.get("s1")!, "labels", "s1.txt"), "utf8")).toBe("");
    const a = await stat(join(src, "images", "s2.jpg"));
    const b = await stat(join(out, where.get("s2")!, "images", "s2.jpg"));
    expect(b.ino === a.ino || res.copied > 0).toBe(true);

    const yaml = parse(await readFile(join(out, "data.yaml"), "utf8")) as Record<string, unknown>;
    expect(yaml).toMatchObject({
      path: out,
      train: "train/images",
      val: "valid/images",
      test: "test/images",
      nc: 80,
    });
    const names = yaml.names as Record<number, string>;
    expect(Object.keys(names)).toHaveLength(80);
    expect(names[0]).toBe("ArmorVehicle (Norm)");
    expect(names[17]).toBe("unused_17");
    expect(names[56]).toBe("Caponier (Night)");

    // Never over an existing dataset without force; with force, replaced.
    await expect(
      writeDataset(collector.plan(fractions, 0), out, { catalog: classCatalog() }),
    ).rejects.toThrow(/already exists; pass --force/);
    await writeFile(join(out, "stale.txt"), "x");
    await writeDataset(collector.plan(fractions, 1), out, { catalog: classCatalog(), force: true });
    await expect(stat(join(out, "stale.txt"))).rejects.toThrow();
    expect((await readdir(join(src, "datasets"))).sort()).toEqual(["azaion-test"]);
  });

  it("refuses to replace a folder that is not a dataset, even with force", async () => {
    const src = await tempFixture({ images: { "a.jpg": { w: 32, h: 32 } } });
    dirs.push(src);
    const other = join(src, "precious");
    await mkdir(other);
    await writeFile(join(other, "thesis.tex"), "x");
    const { collector } = await collect(src);
    await expect(
      writeDataset(collector.plan(fractions, 0), other, { catalog: classCatalog(), force: true }),
    ).rejects.toThrow(/not a dataset folder/);
    expect(await readFile(join(other, "thesis.tex"), "utf8")).toBe("x");
  });
});
