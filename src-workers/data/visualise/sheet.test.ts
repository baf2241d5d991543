import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classCatalog } from "../../core/classes.js";
import { ProblemLog } from "../../core/problems.js";
import { buildFilter, selectItems } from "./select.js";
import { renderSheet, SHEET, sheetGeometry, type SheetResult } from "./sheet.js";
import { listSource } from "./source.js";
import {
  colourDistance,
  hexRgb,
  pixel,
  tempDir,
  writeDataset,
  writeFolder,
  type FixtureImage,
} from "./test-fixtures.js";

const catalog = classCatalog();
const TILE = 128;
const GREEN = "#406040";
const TRUCK = 1; // #3cb44b
const SMOKE_NIGHT = 49; // Smoke #fabed4, Night

const images: FixtureImage[] = [
  { name: "a.png", colour: GREEN, width: 200, height: 100, labels: `${TRUCK} 0.5 0.5 0.5 0.5\n` },
  { name: "b.png", colour: "#304870", width: 100, height: 200, labels: `${SMOKE_NIGHT} 0.5 0.5 0.4 0.4\n` },
  { name: "c.png", colour: "#705030", labels: "" },
  { name: "d.png", colour: "#808080", labels: `${TRUCK} 0.5 0.5 0.2 0.2\n99 0.5 0.5 0.1 0.1\nnonsense\n` },
  {
    name: "e.jpg",
    colour: "#000000",
    bytes: Buffer.from("this is not a jpeg"),
    labels: `${TRUCK} 0.5 0.5 0.2 0.2\n`,
  },
];

async function sheet(
  dir: string,
  out: string,
  opts: {
    classes?: string[];
    modes?: string[];
    split?: ("train" | "valid" | "test")[];
    max?: number;
    columns?: number;
  } = {},
) {
  const listing = await listSource(dir, opts.split);
  const filter = buildFilter(catalog, opts.classes ?? [], opts.modes ?? []);
  const sel = await selectItems(listing.entries, catalog, filter, opts.max ?? 36, 1);
  const log = new ProblemLog();
  const result = await renderSheet({
    items: sel.items,
    catalog,
    filter,
    tile: TILE,
    columns: opts.columns ?? 4,
    header: { source: dir, filters: "", matched: sel.matched, total: listing.entries.length, seed: 1 },
    out,
    log,
  });
  return { result, log };
}

describe("renderSheet", () => {
  let root: string;
  let full: { result: SheetResult; log: ProblemLog };
  beforeAll(async () => {
    root = await tempDir();
    await writeFolder(join(root, "data"), images);
    await writeDataset(join(root, "ds"), {
      train: images.slice(0, 2),
      valid: images.slice(2, 3),
      test: images.slice(3, 4),
    });
    full = await sheet(join(root, "data"), join(root, "out", "sheet.png"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("writes a PNG whose size follows the grid maths", async () => {
    const { result } = full;
    const meta = await sharp(result.out).metadata();
    const g = result.geometry;
    expect(g.columns).toBe(4);
    expect(g.rows).toBe(2);
    expect(meta.width).toBe(Math.max(SHEET.minWidth, SHEET.gap + 4 * (TILE + SHEET.gap)));
    expect(meta.height).toBe(g.gridTop + 2 * (TILE + SHEET.caption + SHEET.gap));
    // Two classes drawn (Truck (Norm), Smoke (Night)): one legend row between header and grid.
    expect(g.gridTop).toBe(SHEET.gap + SHEET.headerLines * SHEET.headerLine + SHEET.legendLine + SHEET.gap);
    expect(sheetGeometry(5, TILE, 4, 1)).toEqual(g);
    expect(result.tiles[4]!.x).toBe(SHEET.gap);
    expect(result.tiles[4]!.y).toBe(g.gridTop + TILE + SHEET.caption + SHEET.gap);
  });

  it("draws box edges in the class colour and leaves the image colour elsewhere", async () => {
    const a = full.result.tiles[0]!;
    expect(a.status).toBe("ok");
    const r = a.imageRect!;
    expect([r.width, r.height]).toEqual([128, 64]);
    expect(r.top - a.y).toBe(32); // letterboxed: centred vertically
    const box = a.boxes[0]!;
    expect(box.x1).toBe(r.left + 32);
    const edge = await pixel(full.result.out, box.x1, Math.round((box.y1 + box.y2) / 2));
    expect(colourDistance(edge, hexRgb(catalog.colour(TRUCK)))).toBeLessThanOrEqual(3);
    const bottomEdge = await pixel(full.result.out, Math.round((box.x1 + box.x2) / 2), box.y2);
    expect(colourDistance(bottomEdge, hexRgb(catalog.colour(TRUCK)))).toBeLessThanOrEqual(3);
    const plain = await pixel(full.result.out, r.left + r.width - 4, r.top + r.height - 4);
    expect(colourDistance(plain, hexRgb(GREEN))).toBeLessThanOrEqual(3);
    const letterbox = await pixel(full.result.out, a.x + 4, a.y + 4);
    expect(colourDistance(letterbox, hexRgb(SHEET.tileBackground))).toBeLessThanOrEqual(3);
  });

  it("marks empty images, keeps good boxes beside bad label lines, and survives a corrupt image", () => {
    const [, , c, d, e] = full.result.tiles;
    expect(c!.status).toBe("empty");
    expect(d!.boxes).toHaveLength(1);
    expect(d!.labelProblems).toBe(2);
    expect(e!.status).toBe("unreadable");
    expect(e!.reason).toMatch(/unsupported image format/);
    expect(full.log.errors).toBe(3);
    expect(full.log.kept.map((p) => `${p.file.split("/").pop()}:${p.line ?? ""}`)).toEqual([
      "d.txt:2",
      "d.txt:3",
      "e.jpg:",
    ]);
    expect(existsSync(full.result.out)).toBe(true);
  });

  it("filters by class and mode reduce the tiles; other boxes are kept but unmatched", async () => {
    const trucks = await sheet(join(root, "data"), join(root, "t.png"), { classes: ["Truck"] });
    expect(trucks.result.tiles.map((t) => t.name)).toEqual(["a.png", "d.png", "e.jpg"]);
    const night = await sheet(join(root, "data"), join(root, "n.png"), { modes: ["Night"] });
    expect(night.result.tiles.map((t) => t.name)).toEqual(["b.png"]);
    expect(night.result.geometry.columns).toBe(1);
    const smoke = await sheet(join(root, "data"), join(root, "s.png"), { classes: ["Smoke (Norm)"] });
    expect(smoke.result.tiles).toHaveLength(0);
    expect((await sharp(join(root, "s.png")).metadata()).width).toBe(SHEET.minWidth);
  });

  it("shows dataset splits and filters by split", async () => {
    const all = await sheet(join(root, "ds"), join(root, "ds.png"));
    expect(all.result.tiles.map((t) => `${t.split}/${t.name}`)).toEqual([
      "train/a.png",
      "train/b.png",
      "valid/c.png",
      "test/d.png",
    ]);
    const valid = await sheet(join(root, "ds"), join(root, "dv.png"), { split: ["valid", "test"] });
    expect(valid.result.tiles.map((t) => t.split)).toEqual(["valid", "test"]);
  });

  it("samples down to --max deterministically", async () => {
    const one = await sheet(join(root, "data"), join(root, "m1.png"), { max: 2 });
    const two = await sheet(join(root, "data"), join(root, "m2.png"), { max: 2 });
    expect(one.result.tiles).toHaveLength(2);
    expect(two.result.tiles.map((t) => t.name)).toEqual(one.result.tiles.map((t) => t.name));
  });
});
