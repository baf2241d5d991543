/**
 * What `azaion val` and the end of `azaion train` leave beside the metrics: per-class tables, the
 * confusion matrix (CSV + plots), PR/metric-confidence curves (JSON + plots) and, for the 80-slot class
 * scheme, the metrics per base class and per weather mode. Fed the same EvalImages as DetMetrics.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { ClassCatalog } from "../../core/classes.js";
import { writeFileAtomic } from "../../core/labels.js";
import { ConfusionMatrix } from "./confusion.js";
import type { DetMetricsResult, EvalImage } from "./det-metrics.js";
import { GroupedDetMetrics, type GroupedMetrics } from "./grouping.js";
import { prCurves } from "./pr-curves.js";
import { writeConfusionPlots, writeCurvePlots } from "./val-plots.js";

export interface ValReportOptions {
  readonly nc: number;
  readonly names: readonly string[];
  /** Validation confidence; the confusion matrix uses 0.25 when it is the default 0.001, as Ultralytics. */
  readonly conf: number;
  /** Given when the model has the catalog's slot count: base-class and weather-mode views. */
  readonly catalog?: ClassCatalog | null;
}

export interface ValReportFiles {
  readonly dir: string;
  readonly files: string[];
  readonly grouped: GroupedMetrics | null;
}

/** A table row: name, images, instances, P, R, mAP50, mAP50-95. */
export interface TableRow {
  readonly name: string;
  readonly images: number;
  readonly instances: number;
  readonly p: number;
  readonly r: number;
  readonly map50: number;
  readonly map: number;
}

export function summaryRows(m: DetMetricsResult, label = "all"): TableRow[] {
  const all: TableRow = {
    name: label,
    images: m.imagesSeen,
    instances: m.ntPerClass.reduce((s, x) => s + x, 0),
    p: m.mp,
    r: m.mr,
    map50: m.map50,
    map: m.map,
  };
  return [all, ...m.perClass.map((c) => ({ name: c.name, images: c.images, instances: c.instances, p: c.p, r: c.r, map50: c.ap50, map: c.ap50_95 }))]; // prettier-ignore
}

/** Fixed-width text, as Ultralytics prints its validation table. */
export function formatTable(rows: readonly TableRow[], first = "class"): string[] {
  const w = Math.max(20, ...rows.map((r) => r.name.length + 1));
  const head = `${first.padEnd(w)} ${"images".padStart(7)} ${"instances".padStart(9)} ${"P".padStart(6)} ${"R".padStart(6)} ${"mAP50".padStart(6)} ${"mAP50-95".padStart(8)}`;
  return [
    head,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(w)} ${String(r.images).padStart(7)} ${String(r.instances).padStart(9)} ${[r.p, r.r, r.map50].map((x) => x.toFixed(3).padStart(6)).join(" ")} ${r.map.toFixed(3).padStart(8)}`,
    ),
  ];
}

function csv(rows: readonly TableRow[], first: string): string {
  const f = (v: number) => String(Number(v.toPrecision(6)));
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [
    `${first},images,instances,precision,recall,mAP50,mAP50-95`,
    ...rows.map((r) => [quote(r.name), r.images, r.instances, f(r.p), f(r.r), f(r.map50), f(r.map)].join(",")),
  ].join("\n") + "\n"; // prettier-ignore
}

export class ValReport {
  readonly confusion: ConfusionMatrix;
  private readonly grouped: GroupedDetMetrics | null;

  constructor(private readonly o: ValReportOptions) {
    this.confusion = new ConfusionMatrix(o.nc, { conf: o.conf === 0.001 ? 0.25 : o.conf, iou: 0.45 });
    this.grouped = o.catalog && o.catalog.slots === o.nc ? new GroupedDetMetrics(o.catalog) : null;
  }

  add(images: readonly EvalImage[]): void {
    for (const im of images) {
      this.confusion.addImage(im);
      this.grouped?.add(im);
    }
  }

  /** Write every output into `dir` (created); returns the files and the grouped metrics. */
  async write(dir: string, metrics: DetMetricsResult): Promise<ValReportFiles> {
    await mkdir(dir, { recursive: true });
    const files: string[] = [];
    const put = async (name: string, text: string) => {
      await writeFileAtomic(join(dir, name), text);
      files.push(join(dir, name));
    };
    await put("per_class.csv", csv(summaryRows(metrics), "class"));
    const names = this.o.names;
    const labels = [...Array.from({ length: this.o.nc }, (_, i) => names[i] ?? String(i)), "background"];
    const rows = this.confusion.toRows();
    await put(
      "confusion_matrix.csv",
      [`predicted\\true,${labels.map((l) => JSON.stringify(l)).join(",")}`, ...rows.map((r, i) => `${JSON.stringify(labels[i])},${r.join(",")}`)].join("\n") + "\n", // prettier-ignore
    );
    files.push(...(await writeConfusionPlots(dir, this.confusion, names)));
    const curves = prCurves(metrics.ap, { points: 201, names });
    await put("pr_curves.json", JSON.stringify(curves));
    files.push(...(await writeCurvePlots(dir, curves)));
    const grouped = this.grouped?.result() ?? null;
    if (grouped) {
      const loose = summaryRows(grouped.baseClasses).slice(1);
      const strictByName = new Map(summaryRows(grouped.baseClassesStrict).map((r) => [r.name, r]));
      const text =
        "base_class,images,instances,precision,recall,mAP50,mAP50-95,strict_mAP50,strict_mAP50-95\n" +
        loose
          .map((r) => {
            const s = strictByName.get(r.name);
            return `${csv([r], "x").split("\n")[1]},${s ? Number(s.map50.toPrecision(6)) : 0},${s ? Number(s.map.toPrecision(6)) : 0}`;
          })
          .join("\n") +
        "\n";
      await put("per_base_class.csv", text);
      await put("per_mode.csv", csv(modeRows(grouped), "mode"));
    }
    return { dir, files, grouped };
  }
}

/** One row per weather mode that has ground truth ("images" counts all validated images, as the "all" row). */
export function modeRows(g: GroupedMetrics): TableRow[] {
  return g.modes.filter((m) => m.metrics.perClass.length > 0).map((m) => summaryRows(m.metrics, m.mode)[0]!);
}
