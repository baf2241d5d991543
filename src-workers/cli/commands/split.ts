/** `azaion split [dir]`: the train/valid/test dataset folder + data.yaml, split by source image group. */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { datasetDirs, hasImages } from "../../core/dataset-folder.js";
import { OverwriteError, UsageError } from "../../core/errors.js";
import { dataRootLayout, datasetName } from "../../core/layout.js";
import type { CliContext } from "../context.js";
import { formDataset } from "./dataset-form.js";

interface SplitOptions {
  readonly out?: string;
  readonly name?: string;
  readonly seed?: string;
  readonly force?: boolean;
}

export function registerSplit(program: Command, ctx: CliContext): void {
  program
    .command("split")
    .description(
      "split a dataset folder into train/valid/test (fractions from the config) with an Ultralytics data.yaml",
    )
    .argument(
      "[dir]",
      "dataset folder holding images/ and labels/ (default: <root>/data-processed if it has images, else <root>/data)",
    )
    .option("--out <dir>", "folder the dataset folder is created in (default: <root>/datasets)")
    .option("--name <name>", "name of the dataset folder (default: azaion-YYYY-MM-DD, today in UTC)")
    .option("--seed <n>", "seed of the split: one seed gives one split (default: config dataset.seed)")
    .option("--force", "replace an existing dataset folder of that name")
    .action(async (dir: string | undefined, opts: SplitOptions) => {
      const cfg = ctx.config();
      const seed = opts.seed === undefined ? cfg.dataset.seed : parseSeed(opts.seed);
      const name = opts.name ?? datasetName();
      if (name === "" || name === "." || name === ".." || /[/\\]/.test(name))
        throw new UsageError(`--name "${name}": expected a plain folder name`);
      const layout = dataRootLayout(cfg.root);
      const source =
        dir ??
        ((await hasImages(join(cfg.root, "data-processed")))
          ? join(cfg.root, "data-processed")
          : join(cfg.root, "data"));
      const dirs = await datasetDirs(source);
      const out = join(resolve(opts.out ?? layout.datasets), name);
      // Fail before a long scan, not after it (writeDataset checks again).
      if (!opts.force && existsSync(out)) throw new OverwriteError(out);

      await formDataset(ctx, { dirs, out, seed, force: opts.force === true });
    });
}

function parseSeed(text: string): number {
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`--seed ${text}: expected a whole number`);
  return Number(text);
}
