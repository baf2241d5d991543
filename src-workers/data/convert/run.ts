/**
 * `azaion convert` as a function: read the source format, map names to slots, write YOLO or COCO,
 * then write <out>/convert-report.json. Bad input never stops the run: it goes to the problem log.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { ClassCatalog } from "../../core/classes.js";
import { UsageError } from "../../core/errors.js";
import type { ProblemLog } from "../../core/problems.js";
import { classMapper, loadMapping, type ClassMapper } from "./mapping.js";
import { newTally, Preparer, type Tally } from "./prepare.js";
import { INPUT_KIND, READERS, type FromFormat, type ToFormat } from "./readers.js";
import { buildReport, writeReport, type ConvertReport } from "./report.js";
import { YoloSource } from "./read-yolo.js";
import type { ProgressFactory, TargetImage } from "./types.js";
import { CocoWriter } from "./write-coco.js";
import { YoloWriter, type WriteStats } from "./write-yolo.js";

export interface ConvertOptions {
  readonly from: FromFormat;
  readonly to: ToFormat;
  readonly input: string;
  readonly out: string;
  readonly mapping?: string;
  readonly mode?: string;
  readonly images?: string;
  readonly force?: boolean;
}

export interface ConvertDeps {
  readonly catalog: ClassCatalog;
  readonly log: ProblemLog;
  readonly progress?: ProgressFactory;
}

interface Writer {
  readonly stats: WriteStats;
  write(t: TargetImage): Promise<void>;
}

export async function runConvert(opts: ConvertOptions, deps: ConvertDeps): Promise<ConvertReport> {
  const { catalog, log } = deps;
  await checkArgs(opts, catalog);
  const input = resolve(opts.input);
  const out = resolve(opts.out);
  const images = opts.images === undefined ? undefined : resolve(opts.images);
  const force = opts.force === true;
  const mode = opts.mode ?? catalog.modes[0]!.name;
  const tally = newTally();

  let writer: Writer;
  let coco: CocoWriter | undefined;
  if (opts.to === "coco") {
    coco = new CocoWriter(out, force, catalog);
    await coco.checkOverwrite();
    const c = coco;
    writer = { stats: c.stats, write: (t) => c.add(t) };
  } else {
    writer = new YoloWriter(out, force, log);
  }

  let read = 0;
  const emit = async (t: TargetImage | undefined) => {
    if (!t) return;
    if (opts.from === "yolo") for (const b of t.boxes) countClass(tally, b.classId);
    await writer.write(t);
  };
  if (opts.from === "yolo") {
    const source = new YoloSource(input, catalog, log, images);
    const files = await source.list();
    const bar = deps.progress?.("convert", files.length);
    for (const f of files) {
      read++;
      await emit(await source.read(f));
      bar?.tick();
    }
    bar?.finish();
  } else {
    const mapper: ClassMapper =
      opts.mapping === undefined
        ? classMapper(catalog, mode)
        : await loadMapping(opts.mapping, catalog, opts.mode);
    const reader = READERS[opts.from];
    const preparer = new Preparer(mapper, log, tally, images);
    const files = await reader.files(input);
    if (files.length === 0) log.warning(input, `no ${opts.from} annotation files found`);
    // One big file (COCO, CVAT): count images; a folder of files: count files.
    const single = files.length === 1;
    const bar = single ? undefined : deps.progress?.("convert", files.length);
    for (const f of files) {
      const result = await reader.read(f);
      log.addAll(result.problems);
      const inner =
        single && result.images.length > 1 ? deps.progress?.("convert", result.images.length) : undefined;
      for (const src of result.images) {
        read++;
        await emit(await preparer.prepare(src));
        inner?.tick();
      }
      inner?.finish();
      bar?.tick();
    }
    bar?.finish();
  }
  await coco?.finish();

  const report = buildReport(
    {
      from: opts.from,
      to: opts.to,
      input,
      out,
      mapping: opts.mapping === undefined ? null : resolve(opts.mapping),
      mode: opts.mode ?? null,
    },
    read,
    tally,
    writer.stats,
    log,
    catalog,
  );
  await writeReport(report);
  return report;
}

function countClass(tally: Tally, id: number): void {
  tally.counts.mapped++;
  tally.perClass.set(id, (tally.perClass.get(id) ?? 0) + 1);
}

/** Wrong combinations and missing inputs are usage errors (exit 2), found before any work. */
async function checkArgs(o: ConvertOptions, catalog: ClassCatalog): Promise<void> {
  if (o.from === "yolo" && o.to === "yolo")
    throw new UsageError("--from yolo --to yolo converts nothing; pick --to coco");
  if (o.from === "yolo" && o.mapping !== undefined)
    throw new UsageError("--mapping applies to named labels; YOLO labels already hold class ids");
  if (o.mode !== undefined && !catalog.findMode(o.mode)) {
    throw new UsageError(
      `--mode ${o.mode} is not a weather mode (known: ${catalog.modes.map((m) => m.name).join(", ")})`,
    );
  }
  const st = await stat(o.input).catch(() => undefined);
  if (!st) throw new UsageError(`input ${o.input} does not exist`);
  const kind = INPUT_KIND[o.from];
  if (kind === "file" && st.isDirectory())
    throw new UsageError(`--from ${o.from} reads one annotation file; ${o.input} is a folder`);
  if (kind === "folder" && !st.isDirectory())
    throw new UsageError(`--from ${o.from} reads a folder with images/ and labels/; ${o.input} is a file`);
  if (o.from === "yolo") {
    const imgs = o.images ?? `${o.input}/images`;
    if (
      !(await stat(imgs).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      throw new UsageError(`no images folder at ${imgs}`);
  }
  if (
    o.images !== undefined &&
    !(await stat(o.images).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    throw new UsageError(`--images ${o.images} is not a folder`);
  }
}
