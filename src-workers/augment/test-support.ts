/**
 * Test helpers for the augmentation service: a small deterministic AugmentVariant (a flip plus a
 * brightness shift that depends on seed, key and k) standing in for the real pipeline, and a
 * source folder made of generated JPEGs. Used by tests only.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import type { AugmentVariant } from "./types.js";

export const flipVariant: AugmentVariant = (image, boxes, seed, key, k) => {
  const { width, height } = image;
  const out = new Uint8Array(image.data.length);
  let shift = (seed * 31 + k * 7) % 40;
  for (const ch of key) shift = (shift + ch.charCodeAt(0)) % 40;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        const v = image.data[(y * width + (width - 1 - x)) * 3 + c]!;
        out[(y * width + x) * 3 + c] = Math.min(255, v + shift);
      }
  return { image: { data: out, width, height }, boxes: boxes.map((b) => ({ ...b, cx: 1 - b.cx })) };
};

/** A JPEG of w x h with a pattern that depends on `n`. */
export async function makeJpeg(n: number, w = 64, h = 48): Promise<Buffer> {
  const data = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    data[i * 3] = (i * 7 + n * 13) & 255;
    data[i * 3 + 1] = ((i % w) * 4 + n * 5) & 255;
    data[i * 3 + 2] = (Math.floor(i / w) * 5 + n) & 255;
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** <dir>/images/<stem>.jpg (+ <dir>/labels/<stem>.txt when `label` is given). */
export async function putSource(dir: string, stem: string, n: number, label?: string): Promise<void> {
  await mkdir(join(dir, "images"), { recursive: true });
  await mkdir(join(dir, "labels"), { recursive: true });
  await writeFile(join(dir, "images", `${stem}.jpg`), await makeJpeg(n));
  if (label !== undefined) await writeFile(join(dir, "labels", `${stem}.txt`), label);
}

export const BOX = "0 0.250000 0.500000 0.200000 0.300000\n";
