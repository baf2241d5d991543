/** `azaion validate [dir]`: check every image and label of a dataset folder, report problems. */
import { join } from "node:path";
import type { Command } from "commander";
import { datasetDirs } from "../../core/dataset-folder.js";
import { scanDataset, type ScanEntry } from "../../core/dataset-scan.js";
import type { ImageLabelDirs } from "../../core/layout.js";
import type { ProblemLog } from "../../core/problems.js";
import type { CliContext } from "../context.js";

interface ValidateOptions {
  readonly deep?: boolean;
}

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command("validate")
    .description(
      "check the images and labels of a dataset folder (images/ + labels/); exit 1 when errors are found",
    )
    .argument("[dir]", "dataset folder holding images/ and labels/ (default: <root>/data)")
    .option("--deep", "also decode every image fully (slow) to catch corrupt pixel data")
    .action(async (dir: string | undefined, opts: ValidateOptions) => {
      const dirs = await datasetDirs(dir ?? join(ctx.config().root, "data"));
      const log = ctx.problemLog();
      let images = 0;
      let usable = 0;
      let background = 0;
      let boxes = 0;
      for await (const e of scanWithProgress(ctx, dirs, log, "validate", opts.deep === true)) {
        images++;
        if (!e.ok) continue;
        usable++;
        boxes += e.boxes.length;
        if (e.boxes.length === 0) background++;
      }
      ctx.out(
        `${dirs.images}: ${images} images checked, ${usable} usable (${background} empty), ${images - usable} bad; ${boxes} boxes`,
      );
      ctx.summarise(log, "validate");
    });
}

/** The scan of a folder with a progress bar whose total is known once the folder is listed. */
export async function* scanWithProgress(
  ctx: CliContext,
  dirs: ImageLabelDirs,
  log: ProblemLog,
  label: string,
  deep = false,
): AsyncGenerator<ScanEntry> {
  const bar = ctx.progress(label, undefined, "img");
  try {
    for await (const e of scanDataset(dirs, {
      catalog: ctx.catalog(),
      log,
      deep,
      onListed: (n) => (bar.total = n),
    })) {
      bar.tick();
      yield e;
    }
  } finally {
    bar.finish();
  }
}
