/** `azaion visualise`: a contact sheet of a folder or dataset, or one image, with boxes drawn. */
import { extname, join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { renderSheet } from "../../data/visualise/sheet.js";
import { renderSingle } from "../../data/visualise/single.js";
import { buildFilter, selectItems } from "../../data/visualise/select.js";
import { listSource, SPLITS, type Split } from "../../data/visualise/source.js";
import type { CliContext } from "../context.js";

interface VisualiseOptions {
  readonly out: string;
  readonly class: string[];
  readonly mode: string[];
  readonly split: string[];
  readonly max?: string;
  readonly columns?: string;
  readonly tile?: string;
  readonly seed?: string;
  readonly image?: string;
  readonly label?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerVisualise(program: Command, ctx: CliContext): void {
  program
    .command("visualise")
    .alias("visualize")
    .description(
      "draw labelled images into a PNG: a contact sheet of a folder or dataset, or one image with --image",
    )
    .argument(
      "[source]",
      "folder with images/ and labels/, or a dataset folder (data.yaml + train/valid/test) (default: <root>/data)",
    )
    .requiredOption("-o, --out <file>", "the PNG to write (its folder is created)")
    .addOption(
      new Option(
        "--class <name>",
        'show only images with this class: a base name (Truck, any mode) or a display name ("Truck (Night)"); repeatable',
      )
        .default([])
        .argParser(collect),
    )
    .addOption(
      new Option(
        "--mode <name>",
        "show only images with boxes in this weather mode (Norm, Wint, Night); repeatable",
      )
        .default([])
        .argParser(collect),
    )
    .addOption(
      new Option(
        "--split <name>",
        `dataset subset to show (${SPLITS.join(", ")}); repeatable (default: all present)`,
      )
        .default([])
        .argParser(collect),
    )
    .option(
      "--max <n>",
      "most images on the sheet; more matches are sampled by --seed (default: config visualise.max_images)",
    )
    .option("--columns <n>", "tiles per row (default: config visualise.columns)")
    .option("--tile <px>", "tile size in pixels, 64-2048 (default: config visualise.tile)")
    .option(
      "--seed <n>",
      "seed of the sample when more images match than --max; the same seed draws the same sheet",
      "1",
    )
    .option("--image <file>", "draw this one image at full size (fitted within 1600 px) instead of a sheet")
    .option(
      "--label <file>",
      "label file for --image (default: labels/<stem>.txt beside its images/ folder, or <stem>.txt beside it)",
    )
    .addHelpText(
      "after",
      [
        "",
        "Boxes are drawn in their base class colour with a tag naming the class; with --class or --mode,",
        "the other boxes of a shown image are drawn thin, dashed and untagged. Unreadable images become tiles saying",
        "why, bad label lines are reported as file:line and the good boxes still drawn. Exit code 1 when such",
        "errors were found (the PNG is still written), 2 for bad arguments.",
        "",
        "Examples:",
        "  azaion visualise --out sheet.png",
        "  azaion visualise ~/azaion/datasets/azaion-2025-01-31 --split valid --class Truck --mode Night -o night-trucks.png",
        "  azaion visualise --image ~/azaion/data/images/frame_0001.jpg -o frame.png",
      ].join("\n"),
    )
    .action(async (source: string | undefined, opts: VisualiseOptions) => {
      if (extname(opts.out).toLowerCase() !== ".png")
        throw new UsageError(`--out ${opts.out}: the output is a PNG; name it .png`);
      const out = resolve(opts.out);
      const catalog = ctx.catalog();
      const filter = buildFilter(catalog, opts.class, opts.mode);
      const log = ctx.problemLog();
      if (opts.image !== undefined) {
        const sheetOnly = [
          source !== undefined && "a source folder",
          opts.split.length > 0 && "--split",
          opts.max && "--max",
          opts.columns && "--columns",
          opts.tile && "--tile",
        ].filter(Boolean);
        if (sheetOnly.length > 0)
          throw new UsageError(`${sheetOnly.join(", ")} apply to the contact sheet, not to --image`);
        const r = await renderSingle({
          image: resolve(opts.image),
          ...(opts.label ? { label: resolve(opts.label) } : {}),
          catalog,
          filter,
          out,
          log,
        });
        ctx.out(
          `${out} (${r.width}x${r.height}, ${r.boxes.length} boxes${r.label ? "" : ", no label file"})`,
        );
        ctx.summarise(log, "visualise");
        return;
      }
      if (opts.label !== undefined) throw new UsageError("--label goes with --image");
      const cfg = ctx.config().visualise;
      const max = intOption("--max", opts.max, cfg.max_images, 1, 10000);
      const columns = intOption("--columns", opts.columns, cfg.columns, 1, 64);
      const tile = intOption("--tile", opts.tile, cfg.tile, 64, 2048);
      const seed = intOption("--seed", opts.seed, 1, 0, 2 ** 32 - 1);
      const splits = opts.split.map(parseSplit);
      const dir = resolve(source ?? join(ctx.config().root, "data"));
      const listing = await listSource(dir, splits);
      const selection = await selectItems(listing.entries, catalog, filter, max, seed);
      const filters = [
        opts.class.length > 0 && `class: ${opts.class.join(", ")}`,
        opts.mode.length > 0 && `mode: ${opts.mode.join(", ")}`,
        listing.kind === "dataset" && `split: ${listing.splits.join(", ")}`,
      ].filter((s): s is string => typeof s === "string");
      const bar = ctx.progress("visualise", selection.items.length, "img");
      const r = await renderSheet({
        items: selection.items,
        catalog,
        filter,
        tile,
        columns,
        header: {
          source: dir,
          filters: filters.join(" · "),
          matched: selection.matched,
          total: listing.entries.length,
          seed,
        },
        out,
        log,
        onProgress: () => bar.tick(),
      });
      bar.finish();
      if (selection.items.length === 0)
        ctx.info(`no images in ${dir} match the filters; the sheet has only its header`);
      const g = r.geometry;
      ctx.out(`${out} (${g.width}x${g.height}, ${r.tiles.length} of ${selection.matched} matching images)`);
      ctx.summarise(log, "visualise");
    });
}

function intOption(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag} "${text}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${flag} ${n} is outside ${min}-${max}`);
  return n;
}

function parseSplit(text: string): Split {
  const s = text.trim().toLowerCase();
  const found = SPLITS.find((x) => x === s || (s === "val" && x === "valid"));
  if (!found) throw new UsageError(`--split "${text}" is not one of ${SPLITS.join(", ")}`);
  return found;
}
