/** `azaion stats [dir]`: counts, class x weather table, box sizes and source groups of a dataset folder. */
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { datasetDirs } from "../../core/dataset-folder.js";
import { DatasetStats, renderStats } from "../../core/dataset-stats.js";
import { UsageError } from "../../core/errors.js";
import type { CliContext } from "../context.js";
import { scanWithProgress } from "./validate.js";

interface StatsOptions {
  readonly imgsz?: string;
  readonly json?: boolean;
}

export function registerStats(program: Command, ctx: CliContext): void {
  program
    .command("stats")
    .description(
      "statistics of a dataset folder: images, boxes per class and weather mode, box sizes, source groups",
    )
    .argument("[dir]", "dataset folder holding images/ and labels/ (default: <root>/data)")
    .option(
      "--imgsz <px>",
      "training image size at which box sizes are measured (default: config dataset.imgsz)",
    )
    .option("--json", "print the statistics as JSON instead of tables")
    .action(async (dir: string | undefined, opts: StatsOptions) => {
      const cfg = ctx.config();
      const imgsz = opts.imgsz === undefined ? cfg.dataset.imgsz : parseImgsz(opts.imgsz);
      const dirs = await datasetDirs(dir ?? join(cfg.root, "data"));
      const log = ctx.problemLog();
      const stats = new DatasetStats(ctx.catalog(), { imgsz, tinyBoxPx: cfg.dataset.tiny_box_px });
      for await (const e of scanWithProgress(ctx, dirs, log, "stats")) stats.add(e);
      const json = stats.toJSON();
      if (opts.json)
        ctx.out(
          JSON.stringify(
            { dir: dirname(dirs.images), ...json, problems: { errors: log.errors, warnings: log.warnings } },
            null,
            2,
          ),
        );
      else ctx.out(renderStats(json));
      ctx.summarise(log, "stats");
    });
}

function parseImgsz(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 32 || n > 8192)
    throw new UsageError(`--imgsz ${text}: expected a whole number of pixels, 32-8192`);
  return n;
}
