/**
 * Writing a synthetic dataset: <out>/images/synth_<seed>_<i>.jpg + <out>/labels/<same>.txt.
 * Pixels are made in JS on this thread while sharp encodes earlier frames on libuv's threads,
 * with a bounded number of frames in flight so memory stays flat for any count.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { classCatalog } from "../../core/classes.js";
import { formatLabels, writeFileAtomic } from "../../core/labels.js";
import { imageLabelDirs } from "../../core/layout.js";
import { openFrameSource } from "./pool.js";
import { checkSynthArgs, type SynthImage } from "./scene.js";
import { MODE_NAMES, type ModeName } from "./weather.js";

export const JPEG_QUALITY = 90;
/** Frames in the pipeline besides those being made: enough to keep the encoder and disk busy, few enough to stay small. */
const IN_FLIGHT = 6;

export interface SynthDatasetOptions {
  readonly out: string;
  readonly count: number;
  readonly size: number;
  readonly seed: number;
  /** First index (default 0): a slice of a larger set comes out identical to the same frames of the whole. */
  readonly start?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** Worker threads making pixels (default: one per core, at most 4; 0: this thread only). */
  readonly threads?: number;
}

export interface SynthSummary {
  readonly out: string;
  readonly images: number;
  /** Frames without objects (background only). */
  readonly empty: number;
  readonly boxes: number;
  /** Boxes per class id (base + mode offset); ids with none are left out. */
  readonly perClass: Record<number, number>;
  /** Images per weather mode. */
  readonly perMode: Record<ModeName, number>;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  /** Worker threads that made the pixels (0: the calling thread). */
  readonly threads: number;
}

/** File stem of frame `index` of `seed`: synth_<seed>_<index, 5 digits>. */
export function synthStem(seed: number, index: number): string {
  return `synth_${seed}_${String(index).padStart(5, "0")}`;
}

export function encodeJpeg(img: Pick<SynthImage, "rgb" | "width" | "height">): Promise<Buffer> {
  return (
    sharp(img.rgb, { raw: { width: img.width, height: img.height, channels: 3 } })
      // Huffman optimisation doubles encode time for ~6% smaller files: not worth it for generated data.
      .jpeg({ quality: JPEG_QUALITY, optimiseCoding: false })
      .toBuffer()
  );
}

export async function writeSynthDataset(opts: SynthDatasetOptions): Promise<SynthSummary> {
  const { out, count, size, seed } = opts;
  const start = opts.start ?? 0;
  if (!Number.isSafeInteger(count) || count < 0)
    throw new RangeError(`synth count ${count} must be a whole number >= 0`);
  checkSynthArgs(seed, start, size);
  classCatalog(); // Fail on a broken class table before any file is written.
  const dirs = imageLabelDirs(out);
  await mkdir(dirs.images, { recursive: true });
  await mkdir(dirs.labels, { recursive: true });

  const began = performance.now();
  const perClass: Record<number, number> = {};
  const perMode = Object.fromEntries(MODE_NAMES.map((m) => [m, 0])) as Record<ModeName, number>;
  let boxes = 0;
  let empty = 0;
  let done = 0;
  let failure: Error | undefined;
  const inFlight = new Set<Promise<void>>();
  const source = openFrameSource(opts.threads);
  const limit = IN_FLIGHT + 2 * source.threads;

  try {
    for (let i = start; i < start + count && failure === undefined; i++) {
      const stem = synthStem(seed, i);
      const job = (async () => {
        try {
          const img = await source.frame(seed, i, size);
          perMode[img.mode]++;
          boxes += img.boxes.length;
          if (img.boxes.length === 0) empty++;
          for (const b of img.boxes) perClass[b.classId] = (perClass[b.classId] ?? 0) + 1;
          const jpeg = await encodeJpeg(img);
          // Image first, label second: a label never names a frame that is not on disk.
          await writeFileAtomic(join(dirs.images, `${stem}.jpg`), jpeg);
          await writeFileAtomic(join(dirs.labels, `${stem}.txt`), formatLabels(img.boxes));
          opts.onProgress?.(++done, count);
        } catch (err) {
          failure ??= err instanceof Error ? err : new Error(String(err));
        }
      })();
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await source.close();
  }
  if (failure !== undefined) throw failure;

  const seconds = (performance.now() - began) / 1000;
  return {
    out,
    images: count,
    empty,
    boxes,
    perClass,
    perMode,
    seconds,
    imagesPerSecond: count / Math.max(seconds, 1e-9),
    threads: source.threads,
  };
}
