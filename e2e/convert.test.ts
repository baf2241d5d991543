/**
 * Convert screen: a COCO file made here (two real images, boxes of a known class and one of a label
 * the class table lacks) converted to YOLO from the UI; the report shows, and the label files on
 * disk hold exactly the boxes the COCO file describes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLabels } from "./support/dataset.js";
import { shotOnFailure, startSession, type Session } from "./support/session.js";

let s: Session;
shotOnFailure(() => s);

async function makeCoco(root: string): Promise<void> {
  const dir = join(root, "import", "coco");
  await mkdir(join(dir, "images"), { recursive: true });
  for (const name of ["a.jpg", "b.jpg"])
    await sharp({ create: { width: 200, height: 100, channels: 3, background: { r: 90, g: 110, b: 80 } } })
      .jpeg()
      .toFile(join(dir, "images", name));
  const coco = {
    images: [
      { id: 1, file_name: "a.jpg", width: 200, height: 100 },
      { id: 2, file_name: "b.jpg", width: 200, height: 100 },
    ],
    categories: [
      { id: 1, name: "Truck" },
      { id: 2, name: "dog" },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [20, 10, 40, 30] },
      { id: 2, image_id: 2, category_id: 1, bbox: [100, 50, 50, 25] },
      { id: 3, image_id: 2, category_id: 2, bbox: [10, 10, 20, 20] },
    ],
  };
  await writeFile(join(dir, "annotations.json"), JSON.stringify(coco));
}

beforeAll(async () => {
  s = await startSession("convert", makeCoco);
}, 180_000);
afterAll(() => s?.close());

describe("Convert", () => {
  it("converts COCO to YOLO, shows the report and writes the labels it describes", async () => {
    const page = s.browser.page;
    const input = join(s.root, "import", "coco", "annotations.json");
    const out = join(s.root, "import", "yolo");
    await s.open("convert");
    const form = page.getByRole("form", { name: "Conversion" });
    await form.getByLabel("Source format").selectOption("coco");
    await form.getByLabel("Input", { exact: true }).fill(input);
    await form.getByLabel("Output folder", { exact: true }).fill(out);
    await s.shot("convert-form");
    await form.getByRole("button", { name: "Run conversion" }).click();

    const report = page.getByRole("status").filter({ hasText: /errors?, \d+ warnings?/ });
    await report.waitFor({ timeout: 60_000 });
    await expect.poll(() => report.textContent()).toMatch(/No errors/);
    expect(await report.textContent()).toMatch(/Objects: 2 converted, 1 unmapped/);
    const unmapped = page.getByRole("table", { name: /Unmapped labels/ });
    await expect.poll(() => unmapped.textContent()).toMatch(/dog\s*1/);
    await s.shot("convert-report");

    // Truck (Norm) is class 1; centre and size normalised by 200 x 100.
    expect(await readLabels(join(out, "labels", "a.txt"))).toEqual([
      { cls: 1, cx: 0.2, cy: 0.25, w: 0.2, h: 0.3 },
    ]);
    expect(await readLabels(join(out, "labels", "b.txt"))).toEqual([
      { cls: 1, cx: 0.625, cy: 0.625, w: 0.25, h: 0.25 },
    ]);
    expect(s.browser.errors.splice(0), "errors in the page").toEqual([]);
  });
});
