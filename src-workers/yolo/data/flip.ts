/** Horizontal and vertical flips of an image and its pixel boxes (RandomFlip). */
import { hflipImage } from "../../augment/transforms/geometry.js";
import type { PxBox, Sample } from "./sample.js";

export function hflip(s: Sample): Sample {
  const W = s.img.width;
  const boxes: PxBox[] = s.boxes.map((b) => ({ cls: b.cls, x1: W - b.x2, y1: b.y1, x2: W - b.x1, y2: b.y2 }));
  return { img: hflipImage(s.img), boxes };
}

export function vflip(s: Sample): Sample {
  const { width, height, data } = s.img;
  const row = width * 3;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) out.set(data.subarray(y * row, (y + 1) * row), (height - 1 - y) * row);
  const H = height;
  const boxes: PxBox[] = s.boxes.map((b) => ({ cls: b.cls, x1: b.x1, y1: H - b.y2, x2: b.x2, y2: H - b.y1 }));
  return { img: { data: out, width, height }, boxes };
}
