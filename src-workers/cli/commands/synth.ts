/** `azaion synth`: write the embedded synthetic dataset (aerial-like frames with YOLO labels). */
import { readdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { AzaionError, UsageError } from "../../core/errors.js";
import { dataRootLayout, imageLabelDirs, isImageFile } from "../../core/layout.js";
import { MODE_NAMES, writeSynthDataset } from "../../data/synth/index.js";
import type { CliContext } from "../context.js";

interface SynthFlags {
  readonly out?: string;
  readonly count?: string;
  readonly size?: string;
  readonly seed?: string;
  readonly force?: boolean;
}

export function registerSynth(program: Command, ctx: CliContext): void {
  program
    .command("synth")
    .description(
      "generate the synthetic dataset: aerial-like frames of all 17 classes in Norm, Wint and Night, with YOLO labels",
    )
    .option("--out <dir>", "folder to write images/ and labels/ into (default: <root>/data)")
    .option("--count <n>", "number of images (default: config synth.count)")
    .option("--size <px>", "width and height of each image, 64-4096 (default: config synth.size)")
    .option("--seed <n>", "seed: one seed and index always give the same image (default: config synth.seed)")
    .option("--force", "write even if the folder already holds images (same-named files are replaced)")
    .action(async (flags: SynthFlags) => {
      const cfg = ctx.config();
      const count =
        flags.count === undefined ? cfg.synth.count : parseWhole("--count", flags.count, 1, 10_000_000);
      const size = flags.size === undefined ? cfg.synth.size : parseWhole("--size", flags.size, 64, 4096);
      const seed =
        flags.seed === undefined
          ? cfg.synth.seed
          : parseWhole("--seed", flags.seed, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (flags.out !== undefined && flags.out.trim() === "")
        throw new UsageError("--out: expected a folder");
      // <root>/data: the folder of the validated set, which the demo and tests read from.
      const out = resolve(flags.out ?? dirname(dataRootLayout(cfg.root).data.images));

      const existing = await countImages(imageLabelDirs(out).images);
      if (existing > 0 && !flags.force) {
        throw new AzaionError(
          `${imageLabelDirs(out).images} already holds ${existing} images; pass --force to write into it anyway`,
          "E_OVERWRITE",
        );
      }

      const bar = ctx.progress("synth", count, "img");
      const summary = await writeSynthDataset({
        out,
        count,
        size,
        seed,
        onProgress: (done) => bar.set(done),
      }).finally(() => bar.finish());

      ctx.out(
        `synth: ${summary.images} images (${summary.empty} empty), ${summary.boxes} boxes, ${size}x${size}, seed ${seed} -> ${out}`,
      );
      ctx.out(`  modes: ${MODE_NAMES.map((m) => `${m} ${summary.perMode[m]}`).join(", ")}`);
      const catalog = ctx.catalog();
      const perBase = catalog.baseClasses.map((b) =>
        catalog.modes.reduce((n, m) => n + (summary.perClass[b.index + m.offset] ?? 0), 0),
      );
      ctx.out(`  classes: ${catalog.baseClasses.map((b, k) => `${b.name} ${perBase[k]}`).join(", ")}`);
      const threads = summary.threads > 0 ? `${summary.threads} worker threads` : "one thread";
      ctx.out(
        `  ${summary.seconds.toFixed(1)} s, ${summary.imagesPerSecond.toFixed(1)} images/s (${threads})`,
      );
    });
}

function parseWhole(flag: string, text: string, min: number, max: number): number {
  const t = text.trim();
  const n = Number(t);
  if (!/^-?\d+$/.test(t) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${flag} ${text}: expected a whole number${min > -Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : ""}`,
    );
  }
  return n;
}

/** Images already in a folder (0 when it does not exist). */
async function countImages(dir: string): Promise<number> {
  try {
    return (await readdir(dir)).filter(isImageFile).length;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
}
