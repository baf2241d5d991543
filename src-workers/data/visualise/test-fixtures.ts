/** Tiny image folders and datasets for the visualise tests: plain-colour images and hand-written labels. */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";

export interface FixtureImage {
  readonly name: string;
  /** #rrggbb fill of the whole image. */
  readonly colour: string;
  readonly width?: number;
  readonly height?: number;
  /** Label file text; undefined writes no label file. */
  readonly labels?: string;
  /** Write these bytes instead of an image (a corrupt file). */
  readonly bytes?: Buffer;
}

export function tempDir(prefix = "azaion-vis-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function writeFolder(dir: string, images: readonly FixtureImage[]): Promise<string> {
  await mkdir(join(dir, "images"), { recursive: true });
  await mkdir(join(dir, "labels"), { recursive: true });
  for (const im of images) {
    const file = join(dir, "images", im.name);
    if (im.bytes) await writeFile(file, im.bytes);
    else {
      const img = sharp({
        create: { width: im.width ?? 200, height: im.height ?? 100, channels: 3, background: im.colour },
      });
      await (im.name.endsWith(".png") ? img.png() : img.jpeg({ quality: 95 })).toFile(file);
    }
    if (im.labels !== undefined)
      await writeFile(join(dir, "labels", im.name.replace(/\.[^.]+$/, ".txt")), im.labels);
  }
  return dir;
}

export async function writeDataset(
  dir: string,
  splits: Partial<Record<"train" | "valid" | "test", readonly FixtureImage[]>>,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "data.yaml"),
    "path: .\ntrain: train/images\nval: valid/images\ntest: test/images\nnc: 80\n",
  );
  for (const [split, images] of Object.entries(splits)) await writeFolder(join(dir, split), images);
  return dir;
}

/** RGB of a pixel of a PNG file. */
export async function pixel(file: string, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

export function hexRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Largest channel difference between two colours. */
export function colourDistance(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? 0))));
}
