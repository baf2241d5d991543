/** The convert report: <out>/convert-report.json, and the closing table a person reads. */
import { join } from "node:path";
import type { ClassCatalog } from "../../core/classes.js";
import { writeFileAtomic } from "../../core/labels.js";
import type { Problem, ProblemLog } from "../../core/problems.js";
import type { Tally } from "./prepare.js";
import type { ObjectCounts } from "./types.js";
import type { WriteStats } from "./write-yolo.js";

export interface ConvertReport {
  readonly from: string;
  readonly to: string;
  readonly input: string;
  readonly out: string;
  readonly mapping: string | null;
  /** --mode as given; null when the mapping's default_mode (or Norm) decided. */
  readonly mode: string | null;
  readonly images: { read: number; written: number; copied: number; missing: number };
  readonly objects: ObjectCounts;
  /** Display name -> boxes written. */
  readonly classes: Record<string, number>;
  /** Unmapped label -> objects skipped. */
  readonly unmapped: Record<string, number>;
  readonly errors: number;
  readonly warnings: number;
  /** The first problems of each severity (the log keeps a bounded number). */
  readonly problems: readonly Problem[];
  readonly files: readonly string[];
}

export function reportPath(out: string): string {
  return join(out, "convert-report.json");
}

export function buildReport(
  args: Pick<ConvertReport, "from" | "to" | "input" | "out" | "mapping" | "mode">,
  imagesRead: number,
  tally: Tally,
  stats: WriteStats,
  log: ProblemLog,
  catalog: ClassCatalog,
): ConvertReport {
  const classes = Object.fromEntries(
    [...tally.perClass.entries()].sort((a, b) => a[0] - b[0]).map(([id, n]) => [catalog.displayName(id), n]),
  );
  const unmapped = Object.fromEntries(
    [...tally.unmapped.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  );
  return {
    ...args,
    images: { read: imagesRead, written: stats.labels, copied: stats.images, missing: stats.missingImages },
    objects: { ...tally.counts },
    classes,
    unmapped,
    errors: log.errors,
    warnings: log.warnings,
    problems: log.kept,
    files: stats.files,
  };
}

export async function writeReport(report: ConvertReport): Promise<string> {
  const file = reportPath(report.out);
  await writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** Lines for stdout: totals, then the unmapped labels as a table (label -> objects). */
export function summaryLines(r: ConvertReport): string[] {
  const o = r.objects;
  const lines = [
    `images: ${r.images.read} read, ${r.images.written} ${r.to === "coco" ? "in annotations.json" : "labels written"}, ${r.images.copied} images placed, ${r.images.missing} images not found`,
    `objects: ${o.mapped} converted, ${o.unmapped} unmapped, ${o.ignored} ignored by the mapping, ${o.dropped} dropped for bad boxes`,
  ];
  const unmapped = Object.entries(r.unmapped);
  if (unmapped.length > 0) {
    const width = Math.max(5, ...unmapped.map(([n]) => n.length));
    lines.push("unmapped labels (objects skipped):", `  ${"label".padEnd(width)}  objects`);
    for (const [name, n] of unmapped) lines.push(`  ${name.padEnd(width)}  ${n}`);
  }
  return lines;
}
