import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classCatalog } from "../../core/classes.js";
import { DataError, UsageError } from "../../core/errors.js";
import { ProblemLog } from "../../core/problems.js";
import { buildFilter } from "./select.js";
import { labelBeside, renderSingle } from "./single.js";
import { colourDistance, hexRgb, pixel, tempDir, writeFolder } from "./test-fixtures.js";

const catalog = classCatalog();
const filter = buildFilter(catalog, [], []);
const ARTILLERY = 3; // #4363d8
const BLUEGREY = "#607080";

describe("renderSingle", () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir();
    await writeFolder(join(root, "data"), [
      {
        name: "big.png",
        colour: BLUEGREY,
        width: 2000,
        height: 1000,
        labels: `${ARTILLERY} 0.25 0.5 0.2 0.4\nbroken line\n`,
      },
      { name: "small.png", colour: BLUEGREY, width: 300, height: 200 },
      { name: "bad.jpg", colour: "#000000", bytes: Buffer.from("nope") },
    ]);
    await mkdir(join(root, "loose"));
    await writeFile(join(root, "loose", "other.txt"), `${ARTILLERY} 0.5 0.5 0.5 0.5\n`);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("finds the label beside the images/ folder", () => {
    expect(labelBeside("/x/data/images/a.jpg")).toBe("/x/data/labels/a.txt");
    expect(labelBeside("/x/loose/a.jpg")).toBe("/x/loose/a.txt");
  });

  it("fits a large image within 1600 px and draws its good boxes", async () => {
    const log = new ProblemLog();
    const out = join(root, "big-out.png");
    const r = await renderSingle({
      image: join(root, "data", "images", "big.png"),
      catalog,
      filter,
      out,
      log,
    });
    expect([r.imageRect.width, r.imageRect.height]).toEqual([1600, 800]);
    expect([r.sourceWidth, r.sourceHeight]).toEqual([2000, 1000]);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([r.width, r.height]);
    expect(r.height).toBe(r.imageRect.top + 800);
    expect(log.errors).toBe(1);
    const b = r.boxes[0]!;
    expect([b.x1, b.x2]).toEqual([240, 560]);
    const edge = await pixel(out, b.x1, Math.round((b.y1 + b.y2) / 2));
    expect(colourDistance(edge, hexRgb(catalog.colour(ARTILLERY)))).toBeLessThanOrEqual(3);
    const plain = await pixel(out, 1500, r.imageRect.top + 700);
    expect(colourDistance(plain, hexRgb(BLUEGREY))).toBeLessThanOrEqual(3);
  });

  it("keeps a small image at its size and takes a label given by path", async () => {
    const r = await renderSingle({
      image: join(root, "data", "images", "small.png"),
      label: join(root, "loose", "other.txt"),
      catalog,
      filter,
      out: join(root, "small-out.png"),
      log: new ProblemLog(),
    });
    expect([r.imageRect.width, r.imageRect.height]).toEqual([300, 200]);
    expect(r.boxes).toHaveLength(1);
  });

  it("draws an image without labels, and refuses missing or unreadable input", async () => {
    const log = new ProblemLog();
    const out = join(root, "nolabel.png");
    const r = await renderSingle({
      image: join(root, "data", "images", "small.png"),
      catalog,
      filter,
      out,
      log,
    });
    expect(r.label).toBeUndefined();
    expect(r.boxes).toHaveLength(0);
    await expect(renderSingle({ image: join(root, "nope.png"), catalog, filter, out, log })).rejects.toThrow(
      UsageError,
    );
    await expect(
      renderSingle({ image: join(root, "data", "images", "bad.jpg"), catalog, filter, out, log }),
    ).rejects.toThrow(DataError);
  });
});
