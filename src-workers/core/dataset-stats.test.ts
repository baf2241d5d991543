import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { classCatalog } from "./classes.js";
import { tempFixture } from "./dataset-fixture.js";
import { scanDataset } from "./dataset-scan.js";
import { DatasetStats, renderStats, sizeEdges, type StatsJson } from "./dataset-stats.js";
import { imageLabelDirs } from "./layout.js";
import { ProblemLog } from "./problems.js";

let dir = "";
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function statsOf(imgsz: number): Promise<StatsJson> {
  dir ||= await tempFixture({
    images: {
      "a.jpg": { w: 1000, h: 500 },
      "a_aug1.jpg": { w: 1000, h: 500 },
      "b.png": { w: 200, h: 200 },
      "b2.jpg": { w: 200, h: 200 },
      "c.jpg": { w: 64, h: 64 },
      "bad.jpg": { w: 64, h: 64 },
    },
    labels: {
      // At imgsz 640 a 1000x500 image scales by 0.64: 0.1 x 0.2 -> 64 x 64 px; 0.005 x 0.01 -> 3.2 px (tiny).
      "a.txt": "0 0.5 0.5 0.1 0.2\n20 0.5 0.5 0.005 0.01\n",
      // 640 x 320 px -> 452.5
      "a_aug1.txt": "40 0.5 0.5 1 1\n",
      "b.txt": "",
      // 200x200 scales by 3.2: 0.04 -> 25.6 px
      "b2.txt": "16 0.5 0.5 0.04 0.04\n",
      "bad.txt": "93 0.5 0.5 0.1 0.1\n",
    },
  });
  const catalog = classCatalog();
  const stats = new DatasetStats(catalog, { imgsz, tinyBoxPx: 8 });
  for await (const e of scanDataset(imageLabelDirs(dir), { catalog, log: new ProblemLog() })) stats.add(e);
  return stats.toJSON();
}

describe("DatasetStats", () => {
  it("bins by powers of two below imgsz", () => {
    expect(sizeEdges(640)).toEqual([8, 16, 32, 64, 128, 256, 512]);
    expect(sizeEdges(1280)).toEqual([8, 16, 32, 64, 128, 256, 512, 1024]);
  });

  it("counts a hand-made dataset exactly", async () => {
    const s = await statsOf(640);
    expect(s).toMatchObject({
      imgsz: 640,
      images: 5,
      emptyImages: 2,
      leftOut: 1,
      boxes: 4,
      tinyBoxes: 1,
      tinyBoxPx: 8,
    });
    expect(s.table.modes).toEqual(["Norm", "Wint", "Night"]);
    expect(s.table.rows).toHaveLength(17);
    expect(s.table.rows[0]).toEqual({ name: "ArmorVehicle", counts: [1, 1, 1], total: 3 });
    expect(s.table.rows[16]).toEqual({ name: "Caponier", counts: [1, 0, 0], total: 1 });
    expect(s.table.totals).toEqual([2, 1, 1]);
    expect(s.table.total).toBe(4);
    expect(s.classes).toHaveLength(51);
    expect(s.classes.find((c) => c.id === 40)).toEqual({
      id: 40,
      name: "ArmorVehicle (Night)",
      base: "ArmorVehicle",
      mode: "Night",
      boxes: 1,
    });
    expect(Object.fromEntries(s.sizes.map((b) => [b.label, b.count]))).toEqual({
      "<8": 1,
      "8-16": 0,
      "16-32": 1,
      "32-64": 0,
      "64-128": 1,
      "128-256": 0,
      "256-512": 1,
      ">=512": 0,
    });
    expect(s.sizes[0]).toEqual({ label: "<8", from: 0, to: 8, count: 1 });
    expect(s.sizes[7]).toEqual({ label: ">=512", from: 512, to: null, count: 0 });
    expect(s.groups).toEqual({ count: 4, sizes: { "1": 3, "2": 1 } });
  });

  it("measures at the imgsz asked for", async () => {
    const s = await statsOf(1280);
    // Sizes double: 6.4 (tiny), 51.2, 128, 905
    expect(s.tinyBoxes).toBe(1);
    expect(s.sizes.filter((b) => b.count > 0).map((b) => b.label)).toEqual([
      "<8",
      "32-64",
      "128-256",
      "512-1024",
    ]);
  });

  it("renders an aligned table and histogram", async () => {
    const text = renderStats(await statsOf(640));
    const lines = text.split("\n");
    expect(text).toMatch(/^Images +5 \(empty 2, left out 1\)$/m);
    expect(text).toMatch(/^Boxes +4 \(tiny, under 8 px at 640: 1\)$/m);
    expect(text).toMatch(/^Source groups +4 \(3 groups of 1, 1 group of 2\)$/m);
    const header = lines.find((l) => l.startsWith("Class"))!;
    const armor = lines.find((l) => l.startsWith("ArmorVehicle "))!;
    const total = lines.find((l) => l.startsWith("Total"))!;
    expect(armor.length).toBe(header.length);
    expect(total.length).toBe(header.length);
    expect(armor.split(/\s+/)).toEqual(["ArmorVehicle", "1", "1", "1", "3"]);
    expect(total.split(/\s+/)).toEqual(["Total", "2", "1", "1", "4"]);
    expect(text).toMatch(/^ {2}<8 +1 █+$/m);
    expect(text).toMatch(/^ {2}8-16 +0$/m);
  });
});
