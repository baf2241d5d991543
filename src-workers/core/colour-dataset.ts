/** A tiny learnable dataset for training tests: a coloured rectangle (red, green or blue: its class) on grey. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { writeFixture } from "./dataset-fixture.js";

export interface ColourDatasetSpec {
  readonly train: number;
  /** Images of a separate val split; absent: val is the train split. */
  readonly val?: number;
  /** Every box 30x24 px (default: sizes vary with the index). */
  readonly fixedSize?: boolean;
}

const COLOURS = [[200, 30, 30], [30, 200, 30], [30, 30, 200]] as const; // prettier-ignore

/** Writes <dir>/train (and <dir>/val) of 96x64 PNGs with YOLO labels, and returns <dir>/data.yaml. */
export async function colourDataset(dir: string, spec: ColourDatasetSpec): Promise<string> {
  const splits: [string, number][] = [["train", spec.train]];
  if (spec.val !== undefined) splits.push(["val", spec.val]);
  for (const [split, n] of splits) {
    const images: Record<string, Buffer> = {};
    const labels: Record<string, string> = {};
    for (let k = 0; k < n; k++) {
      const cls = k % 3;
      const [w, h] = [96, 64];
      const [x0, y0] = [8 + ((k * 13) % 40), 6 + ((k * 7) % 20)];
      const [bw, bh] = spec.fixedSize === true ? [30, 24] : [30 + (k % 3) * 6, 24 + (k % 2) * 8];
      const px = Buffer.alloc(w * h * 3, 110);
      for (let y = y0; y < y0 + bh; y++)
        for (let x = x0; x < x0 + bw; x++) px.set(COLOURS[cls]!, (y * w + x) * 3);
      images[`${k}.png`] = await sharp(px, { raw: { width: w, height: h, channels: 3 } })
        .png()
        .toBuffer();
      labels[`${k}.txt`] = `${cls} ${(x0 + bw / 2) / w} ${(y0 + bh / 2) / h} ${bw / w} ${bh / h}\n`;
    }
    await writeFixture(join(dir, split), { images, labels });
  }
  const yaml = join(dir, "data.yaml");
  const val = spec.val === undefined ? "train" : "val";
  await writeFile(
    yaml,
    `path: .\ntrain: train/images\nval: ${val}/images\nnames:\n  0: red\n  1: green\n  2: blue\n`,
  );
  return yaml;
}
