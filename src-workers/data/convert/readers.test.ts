import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { classCatalog } from "../../core/classes.js";
import { ProblemLog } from "../../core/problems.js";
import { readCoco } from "./read-coco.js";
import { readCvat } from "./read-cvat.js";
import { readLabelme } from "./read-labelme.js";
import { readVoc, vocReader } from "./read-voc.js";
import { runConvert, type ConvertOptions } from "./run.js";

// Every sample holds the same box on a 200x100 image: pixel edges x 20-60, y 10-40.
const EXPECTED = "1 0.200000 0.250000 0.200000 0.300000";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-convert-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(rel: string, text: string): Promise<string> {
  const file = join(dir, rel);
  await mkdir(join(file, ".."), { recursive: true });
  await writeFile(file, text);
  return file;
}

async function convert(opts: Omit<ConvertOptions, "out">) {
  const log = new ProblemLog();
  const out = join(dir, "out");
  const report = await runConvert({ ...opts, out }, { catalog: classCatalog(), log });
  const label = (stem: string) => readFile(join(out, "labels", `${stem}.txt`), "utf8");
  return { log, report, out, label };
}

const vocXml = (objects: string, size = "<width>200</width><height>100</height>") =>
  `<annotation><filename>img1.jpg</filename><size>${size}<depth>3</depth></size>${objects}</annotation>`;
const vocObject = (name: string, xmin: number, ymin: number, xmax: number, ymax: number) =>
  `<object><name>${name}</name><difficult>0</difficult><bndbox><xmin>${xmin}</xmin><ymin>${ymin}</ymin><xmax>${xmax}</xmax><ymax>${ymax}</ymax></bndbox></object>`;

describe("COCO reader", () => {
  it("reads bbox [x, y, w, h] px, keeps iscrowd, ignores segmentation", async () => {
    const file = await put(
      "coco.json",
      JSON.stringify({
        images: [{ id: 7, file_name: "img1.jpg", width: 200, height: 100 }],
        annotations: [
          { id: 1, image_id: 7, category_id: 3, bbox: [20, 10, 40, 30], segmentation: [[0, 0, 1, 1, 2, 2]] },
          {
            id: 2,
            image_id: 7,
            category_id: 3,
            bbox: [20, 10, 40, 30],
            iscrowd: 1,
            segmentation: { counts: "x", size: [100, 200] },
          },
        ],
        categories: [{ id: 3, name: "truck" }],
      }),
    );
    const r = await readCoco(file);
    expect(r.problems).toEqual([]);
    expect(r.images[0]!.objects.map((o) => [o.name, o.x1, o.y1, o.x2, o.y2])).toEqual([
      ["truck", 20, 10, 60, 40],
      ["truck", 20, 10, 60, 40],
    ]);
    const { label, log } = await convert({ from: "coco", to: "yolo", input: file });
    expect(await label("img1")).toBe(`${EXPECTED}\n${EXPECTED}\n`);
    expect(log.errors).toBe(0);
  });

  it("reports bad elements by index and goes on", async () => {
    const file = await put(
      "coco.json",
      JSON.stringify({
        images: [
          { id: 1, file_name: "a.jpg", width: 200, height: 100 },
          { id: 2, file_name: "b.jpg", height: 100 },
          { id: 1, file_name: "c.jpg", width: 200, height: 100 },
        ],
        annotations: [
          { id: 10, image_id: 1, category_id: 1, bbox: [20, 10, -5, 30] },
          { id: 11, image_id: 9, category_id: 1, bbox: [20, 10, 40, 30] },
          { id: 12, image_id: 1, category_id: 5, bbox: [20, 10, 40, 30] },
          { id: 13, image_id: 1, category_id: 1, bbox: [20, 10, 40, 30] },
        ],
        categories: [{ id: 1, name: "Truck" }],
      }),
    );
    const r = await readCoco(file);
    const fields = r.problems.map((p) => p.field);
    expect(fields).toEqual([
      "images[1]",
      "images[2]",
      "annotations[0] (id 10)",
      "annotations[1] (id 11)",
      "annotations[2] (id 12)",
    ]);
    expect(r.problems[1]!.message).toMatch(/image id 1 is used twice/);
    expect(r.problems[2]!.message).toMatch(/negative width/);
    expect(r.images).toHaveLength(1);
    expect(r.images[0]!.objects).toHaveLength(1);
  });
});

describe("Pascal VOC reader", () => {
  it("turns 1-based inclusive pixels into edges: x1 = xmin - 1, x2 = xmax", async () => {
    await put(
      "Annotations/img1.xml",
      vocXml(vocObject("Truck", 21, 11, 60, 40) + vocObject("truck", 1, 1, 200, 100)),
    );
    const r = await readVoc(join(dir, "Annotations", "img1.xml"));
    expect(r.images[0]!.objects.map((o) => [o.x1, o.y1, o.x2, o.y2])).toEqual([
      [20, 10, 60, 40],
      [0, 0, 200, 100],
    ]);
    // A VOC root: Annotations/ is found by itself.
    expect(await vocReader.files(dir)).toEqual([join(dir, "Annotations", "img1.xml")]);
    const { label, log } = await convert({ from: "voc", to: "yolo", input: dir });
    expect(log.kept).toEqual([
      expect.objectContaining({ severity: "warning", message: expect.stringMatching(/not found/) as string }),
    ]);
    expect(await label("img1")).toBe(`${EXPECTED}\n1 0.500000 0.500000 1.000000 1.000000\n`);
  });

  it("reports a missing size, a reversed box and malformed XML with its line", async () => {
    const noSize = await put("a.xml", vocXml(vocObject("Truck", 21, 11, 60, 40), "<width>200</width>"));
    expect((await readVoc(noSize)).problems.map((p) => p.message)).toEqual([
      "missing size/height; this file is skipped",
    ]);
    const reversed = await put("b.xml", vocXml(vocObject("Truck", 60, 11, 21, 40)));
    const r = await readVoc(reversed);
    expect(r.problems).toEqual([
      expect.objectContaining({
        field: "object 1",
        message: expect.stringMatching(/reversed box/) as string,
      }),
    ]);
    const broken = await put("c.xml", "<annotation>\n<size>\n<width>200</width></annotation>");
    const m = await readVoc(broken);
    expect(m.problems[0]).toMatchObject({ severity: "error", file: broken, line: 3 });
    expect(m.problems[0]!.message).toMatch(/not valid XML/);
  });
});

describe("LabelMe reader", () => {
  it("reads rectangles in any corner order and polygons as their bounding box; skips other shapes", async () => {
    const file = await put(
      "lm/img1.json",
      JSON.stringify({
        imagePath: "img1.jpg",
        imageWidth: 200,
        imageHeight: 100,
        shapes: [
          {
            label: "Truck",
            points: [
              [60, 40],
              [20, 10],
            ],
            shape_type: "rectangle",
          },
          {
            label: "Truck",
            points: [
              [20, 10],
              [60, 25],
              [40, 40],
            ],
            shape_type: "polygon",
          },
          {
            label: "Truck",
            points: [
              [20, 10],
              [30, 10],
            ],
            shape_type: "circle",
          },
        ],
      }),
    );
    const r = await readLabelme(file);
    expect(r.problems).toEqual([expect.objectContaining({ severity: "warning", field: "shapes[2]" })]);
    const { label } = await convert({ from: "labelme", to: "yolo", input: join(dir, "lm") });
    expect(await label("img1")).toBe(`${EXPECTED}\n${EXPECTED}\n`);
  });

  it("names the line of a JSON syntax error and a missing imageWidth", async () => {
    const broken = await put("bad.json", '{\n  "imagePath": "x.jpg",\n  "shapes": []\n  "imageWidth": 3\n}');
    const r = await readLabelme(broken);
    expect(r.problems[0]).toMatchObject({ severity: "error", file: broken, line: 4 });
    expect(r.problems[0]!.message).toMatch(/^not valid JSON/);
    const noWidth = await put("nw.json", JSON.stringify({ imagePath: "x.jpg", imageHeight: 10, shapes: [] }));
    expect((await readLabelme(noWidth)).problems[0]!.message).toMatch(/missing imageWidth/);
  });
});

describe("CVAT reader", () => {
  it("reads boxes and polygons, reports other shapes", async () => {
    const file = await put(
      "cvat/annotations.xml",
      `<?xml version="1.0" encoding="utf-8"?>
<annotations><version>1.1</version><meta><task><name>t</name></task></meta>
  <image id="0" name="img1.jpg" width="200" height="100">
    <box label="Truck" occluded="0" xtl="20.00" ytl="10.00" xbr="60.00" ybr="40.00" z_order="0"></box>
    <polygon label="Truck" occluded="0" points="20.00,10.00;60.00,25.00;40.00,40.00" z_order="0"></polygon>
    <polyline label="Truck" points="1,1;2,2"></polyline>
  </image>
  <image id="1" name="img2.jpg" width="200"></image>
</annotations>`,
    );
    const r = await readCvat(file);
    expect(r.problems.map((p) => [p.severity, p.field])).toEqual([
      ["warning", 'image[0] "img1.jpg"'],
      ["error", 'image[1] "img2.jpg"'],
    ]);
    const { label, log } = await convert({ from: "cvat", to: "yolo", input: file });
    expect(await label("img1")).toBe(`${EXPECTED}\n${EXPECTED}\n`);
    expect(log.errors).toBe(1);
  });
});
