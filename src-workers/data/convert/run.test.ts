import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { classCatalog } from "../../core/classes.js";
import { OverwriteError, UsageError } from "../../core/errors.js";
import { ProblemLog } from "../../core/problems.js";
import type { ConvertReport } from "./report.js";
import { runConvert, type ConvertOptions } from "./run.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-convert-run-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(rel: string, data: string | Buffer): Promise<string> {
  const file = join(dir, rel);
  await mkdir(join(file, ".."), { recursive: true });
  await writeFile(file, data);
  return file;
}

async function convert(opts: ConvertOptions) {
  const log = new ProblemLog();
  const report = await runConvert(opts, { catalog: classCatalog(), log });
  return { log, report };
}

function coco(
  images: { id: number; file_name: string }[],
  annotations: { image_id: number; category_id: number; bbox: number[] }[],
) {
  return JSON.stringify({
    images: images.map((i) => ({ ...i, width: 200, height: 100 })),
    annotations: annotations.map((a, i) => ({ id: i + 1, ...a })),
    categories: [
      { id: 1, name: "truck" },
      { id: 2, name: "dog" },
      { id: 3, name: "cat" },
    ],
  });
}

describe("convert to YOLO", () => {
  it("skips unmapped labels, tallies them and writes the report", async () => {
    const input = await put(
      "ann/coco.json",
      coco(
        [{ id: 1, file_name: "a.jpg" }],
        [
          { image_id: 1, category_id: 1, bbox: [20, 10, 40, 30] },
          { image_id: 1, category_id: 2, bbox: [0, 0, 10, 10] },
          { image_id: 1, category_id: 2, bbox: [0, 0, 10, 10] },
          { image_id: 1, category_id: 3, bbox: [0, 0, 10, 10] },
        ],
      ),
    );
    await put("ann/images/a.jpg", "not really a jpeg");
    const out = join(dir, "out");
    const { log, report } = await convert({ from: "coco", to: "yolo", input, out });
    expect(await readFile(join(out, "labels", "a.txt"), "utf8")).toBe(
      "1 0.200000 0.250000 0.200000 0.300000\n",
    );
    expect(await readdir(join(out, "images"))).toEqual(["a.jpg"]);
    expect(log.errors).toBe(0);
    // One warning per unmapped name, not per object.
    expect(log.kept.map((p) => p.message.slice(0, 13))).toEqual(['label "dog" m', 'label "cat" m']);
    const saved = JSON.parse(await readFile(join(out, "convert-report.json"), "utf8")) as ConvertReport;
    expect(saved).toEqual(report);
    expect(saved.unmapped).toEqual({ dog: 2, cat: 1 });
    expect(saved.objects).toEqual({ mapped: 1, unmapped: 3, ignored: 0, dropped: 0 });
    expect(saved.classes).toEqual({ "Truck (Norm)": 1 });
    expect(saved.images).toEqual({ read: 1, written: 1, copied: 1, missing: 0 });
    expect(saved.files).toEqual([join(out, "labels", "a.txt"), join(out, "images", "a.jpg")]);
  });

  it("never overwrites a label without force; with force it does", async () => {
    const input = await put(
      "coco.json",
      coco(
        [
          { id: 1, file_name: "a.jpg" },
          { id: 2, file_name: "b.jpg" },
        ],
        [{ image_id: 1, category_id: 1, bbox: [20, 10, 40, 30] }],
      ),
    );
    const out = join(dir, "out");
    await put("out/labels/a.txt", "old\n");
    const first = await convert({ from: "coco", to: "yolo", input, out });
    expect(first.log.errors).toBe(1);
    expect(first.log.kept[0]!.message).toMatch(/already exists; pass --force/);
    expect(await readFile(join(out, "labels", "a.txt"), "utf8")).toBe("old\n");
    expect(await readFile(join(out, "labels", "b.txt"), "utf8")).toBe("");
    const forced = await convert({ from: "coco", to: "yolo", input, out, force: true });
    expect(forced.log.errors).toBe(0);
    expect(await readFile(join(out, "labels", "a.txt"), "utf8")).toBe(
      "1 0.200000 0.250000 0.200000 0.300000\n",
    );
  });

  it("reports duplicate image names, boxes outside the image and clips overhangs", async () => {
    const input = await put(
      "coco.json",
      coco(
        [
          { id: 1, file_name: "a.jpg" },
          { id: 2, file_name: "sub/a.png" },
        ],
        [
          { image_id: 1, category_id: 1, bbox: [250, 10, 40, 30] },
          { image_id: 1, category_id: 1, bbox: [-20, 10, 40, 30] },
          { image_id: 1, category_id: 1, bbox: [20, 10, 0, 30] },
        ],
      ),
    );
    const out = join(dir, "out");
    const { log, report } = await convert({ from: "coco", to: "yolo", input, out });
    const msgs = log.kept.map((p) => `${p.severity} ${p.field ?? ""}: ${p.message}`);
    expect(msgs).toEqual([
      expect.stringMatching(
        /^error annotations\[0\] \(id 1\): "truck": box .* entirely outside the 200x100 image/,
      ),
      expect.stringMatching(/^warning annotations\[1\] \(id 2\): "truck": box .* clipped/),
      expect.stringMatching(/^error annotations\[2\] \(id 3\): "truck": degenerate box/),
      expect.stringMatching(/^warning : image "a.jpg" not found/),
      expect.stringMatching(/^error images\[1\]: image "sub\/a.png" has the same name as "a.jpg"/),
    ]);
    expect(await readFile(join(out, "labels", "a.txt"), "utf8")).toBe(
      "1 0.050000 0.250000 0.100000 0.300000\n",
    );
    expect(report.objects.dropped).toBe(2);
  });

  it("refuses wrong usage before any work", async () => {
    const file = await put("coco.json", "{}");
    const out = join(dir, "out");
    await expect(convert({ from: "yolo", to: "yolo", input: dir, out })).rejects.toThrow(UsageError);
    await expect(convert({ from: "coco", to: "yolo", input: dir, out })).rejects.toThrow(/is a folder/);
    await expect(convert({ from: "coco", to: "yolo", input: join(dir, "nope.json"), out })).rejects.toThrow(
      /does not exist/,
    );
    await expect(convert({ from: "coco", to: "yolo", input: file, out, mode: "Summer" })).rejects.toThrow(
      /not a weather mode/,
    );
  });
});

describe("YOLO -> COCO -> YOLO", () => {
  async function image(rel: string, width: number, height: number): Promise<void> {
    const buf = await sharp({ create: { width, height, channels: 3, background: "#406080" } })
      .png()
      .toBuffer();
    await put(rel, buf);
  }

  it("is lossless to 1e-6 and writes slot-id categories with unrounded pixel boxes", async () => {
    await image("src/images/a.png", 640, 480);
    await image("src/images/b.png", 333, 217);
    const labelA = "0 0.123457 0.234568 0.111111 0.098765\n46 0.500000 0.500000 1.000000 1.000000\n";
    const labelB = "21 0.333333 0.777777 0.123456 0.044444\n";
    await put("src/labels/a.txt", labelA);
    await put("src/labels/b.txt", labelB);
    const mid = join(dir, "coco");
    const there = await convert({ from: "yolo", to: "coco", input: join(dir, "src"), out: mid });
    expect(there.log.errors).toBe(0);
    type Doc = {
      images: { file_name: string; width: number }[];
      annotations: { bbox: number[]; area: number; category_id: number }[];
      categories: { id: number; name: string }[];
    };
    const doc = JSON.parse(await readFile(join(mid, "annotations.json"), "utf8")) as Doc;
    expect(doc.categories).toHaveLength(51);
    expect(doc.categories[0]).toMatchObject({ id: 0, name: "ArmorVehicle (Norm)" });
    expect(doc.categories.at(-1)).toMatchObject({ id: 56, name: "Caponier (Night)" });
    expect(doc.images.map((i) => [i.file_name, i.width])).toEqual([
      ["a.png", 640],
      ["b.png", 333],
    ]);
    const first = doc.annotations[0]!;
    expect(first.bbox[0]).toBeCloseTo((0.123457 - 0.111111 / 2) * 640, 10);
    expect(first.area).toBeCloseTo(first.bbox[2]! * first.bbox[3]!, 10);
    expect(doc.annotations.map((a) => a.category_id)).toEqual([0, 46, 21]);

    const back = join(dir, "back");
    const returned = await convert({
      from: "coco",
      to: "yolo",
      input: join(mid, "annotations.json"),
      out: back,
    });
    expect(returned.log.errors + returned.log.warnings).toBe(0);
    for (const [stem, original] of [
      ["a", labelA],
      ["b", labelB],
    ] as const) {
      const again = await readFile(join(back, "labels", `${stem}.txt`), "utf8");
      const nums = (t: string) => t.trim().split(/\s+/).map(Number);
      const [x, y] = [nums(original), nums(again)];
      expect(y).toHaveLength(x.length);
      y.forEach((v, i) => expect(Math.abs(v - x[i]!)).toBeLessThanOrEqual(1e-6));
    }
    expect((await readdir(join(back, "images"))).sort()).toEqual(["a.png", "b.png"]);
  });

  it("refuses to replace annotations.json without force", async () => {
    await image("src/images/a.png", 8, 8);
    await put("out/annotations.json", "{}");
    await expect(
      convert({ from: "yolo", to: "coco", input: join(dir, "src"), out: join(dir, "out") }),
    ).rejects.toThrow(OverwriteError);
  });
});
