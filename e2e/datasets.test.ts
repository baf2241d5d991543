/**
 * Datasets screen in Chromium against `azaion serve` on a generated dataset: the grid shows every
 * image with its thumbnail, and a class filter leaves exactly the images whose label files hold a
 * box of that class (counted here from the files themselves); an image opened in the editor has a
 * box moved and re-classed, another deleted and a new one drawn with the mouse, and after Save its label file holds
 * exactly that.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsByStem, readLabels, synth, type LabelLine } from "./support/dataset.js";
import { shotOnFailure, startSession, type Session } from "./support/session.js";

const COUNT = 24;
let s: Session;
shotOnFailure(() => s);
const SIZE = 256;

beforeAll(async () => {
  s = await startSession("datasets", (root) => synth(root, COUNT, SIZE));
}, 180_000);
afterAll(() => s?.close());

/** The grid's total, as the listbox announces it (aria-setsize of its options). */
async function gridTotal(): Promise<number> {
  const option = s.browser.page.getByRole("listbox", { name: "Images" }).getByRole("option").first();
  await option.waitFor();
  return Number(await option.getAttribute("aria-setsize"));
}

describe("Datasets", () => {
  it("shows the data folder's images as thumbnails", async () => {
    const page = s.browser.page;
    await s.open("datasets");
    const folder = page.getByLabel("Dataset folder");
    await folder.waitFor();
    await folder.selectOption(join(s.root, "data"));
    await expect.poll(gridTotal, { timeout: 30_000 }).toBe(COUNT);
    // Thumbnails: real JPEGs decoded by the browser (naturalWidth > 0), not broken images.
    const grid = page.getByRole("listbox", { name: "Images" });
    await expect
      .poll(
        () =>
          grid
            .locator("img")
            .evaluateAll(
              (imgs) => (imgs as HTMLImageElement[]).filter((i) => i.complete && i.naturalWidth > 0).length,
            ),
        { timeout: 30_000 },
      )
      .toBeGreaterThanOrEqual(Math.min(COUNT, 8));
    await s.shot("datasets");

    // The statistics tab counts what the label files hold.
    const labels = await labelsByStem(join(s.root, "data"));
    const boxes = [...labels.values()].reduce((n, ls) => n + ls.length, 0);
    await page.getByRole("tab", { name: "Statistics" }).click();
    const table = page.getByRole("table", { name: "Boxes per class and weather mode" });
    await table.waitFor({ timeout: 30_000 });
    const totalRow = table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Total" }) });
    await expect
      .poll(async () => (await totalRow.getByRole("cell").last().textContent())?.replace(/\D/g, ""))
      .toBe(String(boxes));
    await s.shot("datasets-statistics");
    await page.getByRole("tab", { name: "Images" }).click();
    expect(s.browser.errors.splice(0), "errors in the page").toEqual([]);
  });

  it("filters by a class down to the images that really hold it", async () => {
    const page = s.browser.page;
    const labels = await labelsByStem(join(s.root, "data"));
    expect(labels.size).toBe(COUNT);
    // A base class some images have and others lack (id = base + 0/20/40).
    const names = [
      "ArmorVehicle",
      "Truck",
      "Vehicle",
      "Artillery",
      "Shadow",
      "Trenches",
      "MilitaryMan",
      "TyreTracks",
      "AdditArmoredTank",
      "Smoke",
      "Plane",
      "Moto",
      "CamouflageNet",
      "CamouflageBranches",
      "Roof",
      "Building",
      "Caponier",
    ];
    const withBase = (b: number) =>
      [...labels.values()].filter((ls) => ls.some((l) => l.cls % 20 === b)).length;
    const base = names.findIndex((_, b) => withBase(b) > 0 && withBase(b) < COUNT);
    expect(base).toBeGreaterThanOrEqual(0);
    const expected = withBase(base);

    await page.getByRole("form", { name: "Filters" }).getByLabel(names[base]!, { exact: true }).check();
    await expect.poll(gridTotal, { timeout: 30_000 }).toBe(expected);
    await expect
      .poll(() => page.locator(".ds-folderbar__count").textContent())
      .toBe(`${expected} images of ${COUNT}`);
    await s.shot("datasets-filtered");
    await page.getByRole("button", { name: "Any class" }).click();
    await expect.poll(gridTotal, { timeout: 30_000 }).toBe(COUNT);
    expect(s.browser.errors.splice(0), "errors in the page").toEqual([]);
  });

  it("edits an image's boxes and saves exactly those edits to its label file", async () => {
    const page = s.browser.page;
    const labels = await labelsByStem(join(s.root, "data"));
    // An image with 3+ boxes whose first box can move 30 px right and 5 px down without touching an edge.
    const roomy = (b: LabelLine) => b.cx + b.w / 2 + 40 / SIZE < 1 && b.cy + b.h / 2 + 10 / SIZE < 1;
    const [stem, before] = [...labels].find(([, ls]) => ls.length >= 3 && roomy(ls[0]!))!;
    expect(stem).toBeDefined();

    await page.getByLabel("Name contains").fill(stem);
    await expect.poll(gridTotal, { timeout: 30_000 }).toBe(1);
    await page.getByRole("listbox", { name: "Images" }).getByRole("option").first().dblclick();
    const view = page.getByRole("region", { name: "Image view" }).or(page.locator("section.ds-view"));
    await view.first().waitFor();
    const boxes = page.getByRole("list", { name: "Boxes" }).getByRole("button");
    await expect.poll(() => boxes.count(), { timeout: 30_000 }).toBe(before.length);

    // Box 1: 30 px right (Shift: 10 px a press), 5 px down, base class 2 (Truck) in its weather mode.
    await boxes.nth(0).click();
    const canvas = page.getByRole("application");
    await canvas.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press("Shift+ArrowRight");
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("2");
    // The last box: deleted.
    await boxes.nth(before.length - 1).click();
    await canvas.focus();
    await page.keyboard.press("Delete");
    await expect.poll(() => boxes.count()).toBe(before.length - 1);

    // A new box drawn with the mouse over image pixels (100, 150)-(140, 180). The view shows image
    // pixel (x, y) at stage (x * scale + ox, y * scale + oy), fitted and centred.
    const drawClass = Number(await page.getByLabel("Class", { exact: true }).inputValue());
    const stage = (await canvas.locator("canvas").first().boundingBox())!;
    const scale = parseFloat((await page.getByLabel("Zoom level").textContent()) ?? "") / 100;
    const at = (x: number, y: number) => ({
      x: stage.x + (stage.width - SIZE * scale) / 2 + x * scale,
      y: stage.y + (stage.height - SIZE * scale) / 2 + y * scale,
    });
    await page.keyboard.press("n");
    const [p0, p1] = [at(100, 150), at(140, 180)];
    await page.mouse.move(p0.x, p0.y);
    await page.mouse.down();
    await page.mouse.move((p0.x + p1.x) / 2, (p0.y + p1.y) / 2, { steps: 4 });
    await page.mouse.move(p1.x, p1.y, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => boxes.count()).toBe(before.length);
    await s.shot("datasets-editor");

    await page.keyboard.press("Control+s");
    const file = join(s.root, "data", "labels", `${stem}.txt`);
    // Written atomically: the file changes once, from the old boxes to the saved ones.
    await expect
      .poll(async () => JSON.stringify(await readLabels(file)), { timeout: 30_000 })
      .not.toBe(JSON.stringify(before));
    await expect.poll(() => page.getByText("Unsaved changes").count(), { timeout: 30_000 }).toBe(0);
    const saved = await readLabels(file);
    const drawnAt = saved.findIndex((b) => b.cls === drawClass && Math.abs(b.w - 40 / SIZE) < 3 / SIZE);
    expect(drawnAt, `a drawn box of class ${drawClass} in ${JSON.stringify(saved)}`).toBeGreaterThanOrEqual(
      0,
    );
    const drawn = saved[drawnAt]!;
    for (const [k, want] of [
      ["cx", 120],
      ["cy", 165],
      ["w", 40],
      ["h", 30],
    ] as const)
      expect(Math.abs(drawn[k] - want / SIZE), `drawn box ${k}`).toBeLessThan(2 / SIZE);
    const after = saved.filter((_, i) => i !== drawnAt);
    const b0 = before[0]!;
    const expected: LabelLine[] = [
      { cls: 1 + (b0.cls - (b0.cls % 20)), cx: b0.cx + 30 / SIZE, cy: b0.cy + 5 / SIZE, w: b0.w, h: b0.h },
      ...before.slice(1, -1),
    ];
    expect(after.length).toBe(expected.length);
    after.forEach((got, i) => {
      const want = expected[i]!;
      expect(got.cls, `box ${i + 1} class`).toBe(want.cls);
      for (const k of ["cx", "cy", "w", "h"] as const)
        expect(got[k], `box ${i + 1} ${k}`).toBeCloseTo(want[k], 5);
    });
    expect(s.browser.errors.splice(0), "errors in the page").toEqual([]);
  });
});
