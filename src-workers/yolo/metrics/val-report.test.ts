/** The validation outputs: tables, confusion matrix CSV + plots, curves JSON + plots, grouped views. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { ClassCatalog } from "../../core/classes.js";
import { DetMetrics, type EvalImage } from "./det-metrics.js";
import { niceTicks } from "./plot.js";
import { ValReport, formatTable, summaryRows } from "./val-report.js";

// Slots 0-1 Norm, 2-3 Night.
const catalog = new ClassCatalog({
  slots: 4,
  modes: [
    { name: "Norm", offset: 0 },
    { name: "Night", offset: 2 },
  ],
  classes: [
    { name: "Truck", colour: "#000000" },
    { name: "Car", colour: "#111111" },
  ],
});
const names = ["Truck (Norm)", "Car (Norm)", "Truck (Night)", "Car (Night)"];
const gt = (cls: number, cx: number) => ({ cls, cx, cy: 0.5, w: 0.2, h: 0.2 });
const det = (cls: number, conf: number, cx: number) => ({
  cls,
  conf,
  xyxy: [(cx - 0.1) * 100, 40, (cx + 0.1) * 100, 60],
});
// Image 1: Truck (Norm) found; Car (Norm) taken for Car (Night). Image 2: a Truck (Night) missed, a false Car.
const images: EvalImage[] = [
  { width: 100, height: 100, gt: [gt(0, 0.2), gt(1, 0.6)], predictions: [det(0, 0.9, 0.2), det(3, 0.8, 0.6)] },
  { width: 100, height: 100, gt: [gt(2, 0.3)], predictions: [det(1, 0.7, 0.8)] },
]; // prettier-ignore

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("ValReport", () => {
  it("writes the confusion matrix, curves and grouped tables of what it was fed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "azaion-valreport-"));
    dirs.push(dir);
    const dm = new DetMetrics({ nc: 4, names });
    images.forEach((im) => dm.add(im));
    const report = new ValReport({ nc: 4, names, conf: 0.001, catalog });
    report.add(images);
    const out = await report.write(dir, dm.result());
    const cm = (await readFile(join(dir, "confusion_matrix.csv"), "utf8")).trim().split("\n");
    expect(cm[0]).toBe(
      'predicted\\true,"Truck (Norm)","Car (Norm)","Truck (Night)","Car (Night)","background"',
    );
    // Rows predicted, columns true: Truck hit, Car (Night) predicted for Car (Norm), Truck (Night) missed,
    // the lone Car (Norm) prediction is background.
    expect(cm.slice(1).map((l) => l.split(",").slice(1).map(Number))).toEqual([
      [1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 0, 1, 0, 0],
    ]);
    for (const f of [
      "confusion_matrix.png",
      "confusion_matrix_normalized.png",
      "PR_curve.png",
      "F1_curve.png",
    ]) {
      const meta = await sharp(join(dir, f)).metadata();
      expect(meta.format, f).toBe("png");
      expect(meta.width, f).toBeGreaterThan(200);
    }
    const curves = JSON.parse(await readFile(join(dir, "pr_curves.json"), "utf8")) as {
      recall: number[];
      classes: { name: string }[];
      all: { precision: number[] };
    };
    expect(curves.recall).toHaveLength(201);
    expect(curves.all.precision).toHaveLength(201);
    expect(curves.classes.map((c) => c.name)).toEqual(["Truck (Norm)", "Car (Norm)", "Truck (Night)"]);
    // Per base class the weather mode is forgiven: Car is found (strictly it is not).
    const base = (await readFile(join(dir, "per_base_class.csv"), "utf8")).trim().split("\n");
    expect(base[0]).toBe(
      "base_class,images,instances,precision,recall,mAP50,mAP50-95,strict_mAP50,strict_mAP50-95",
    );
    const car = base
      .find((l) => l.startsWith("Car,"))!
      .split(",")
      .map(Number);
    expect(car[5]).toBeGreaterThan(0.9);
    expect(car[7]).toBe(0);
    const modes = (await readFile(join(dir, "per_mode.csv"), "utf8")).trim().split("\n");
    expect(modes.map((l) => l.split(",")[0])).toEqual(["mode", "Norm", "Night"]);
    expect(out.grouped!.modes.map((m) => m.mode)).toEqual(["Norm", "Night"]);
    const table = formatTable(summaryRows(dm.result()));
    expect(table[0]).toMatch(/^class\s+images\s+instances\s+P\s+R\s+mAP50\s+mAP50-95$/);
    expect(table[1]).toMatch(/^all\s+2\s+3\s/);
  });

  it("has no grouped views for a model whose nc is not the catalog's", async () => {
    const dir = await mkdtemp(join(tmpdir(), "azaion-valreport-"));
    dirs.push(dir);
    const dm = new DetMetrics({ nc: 2 });
    const r = new ValReport({ nc: 2, names: ["a", "b"], conf: 0.25, catalog });
    const out = await r.write(dir, dm.result());
    expect(out.grouped).toBeNull();
    expect(out.files.some((f) => f.endsWith("per_mode.csv"))).toBe(false);
  });
});

describe("niceTicks", () => {
  it("gives round steps that cover the range", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.4673, 0.4679)).toEqual([0.4674, 0.4676, 0.4678]);
    expect(niceTicks(1, 30)).toEqual([10, 20, 30]);
  });
});
