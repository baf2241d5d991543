/**
 * Square letterbox to S with pad 114 as 8-bit RGB, on the predictor's geometry and resize
 * (predict/letterbox.ts, resize.ts), so a validation image is pixel for pixel what predict feeds.
 */
import { letterboxGeometry, toLetterbox, type LetterboxGeometry } from "../predict/letterbox.js";
import { resizeLinear } from "../predict/resize.js";
import { PAD, type PxBox, type RawImage } from "./sample.js";

export function squareGeometry(width: number, height: number, S: number): LetterboxGeometry {
  return letterboxGeometry(width, height, { newShape: S, auto: false });
}

export function letterboxRgb(img: RawImage, g: LetterboxGeometry): RawImage {
  const resized = resizeLinear(img.data, img.width, img.height, g.resizedWidth, g.resizedHeight, 3);
  if (g.width === g.resizedWidth && g.height === g.resizedHeight) return { ...img, data: resized, width: g.width, height: g.height }; // prettier-ignore
  const out = new Uint8Array(g.width * g.height * 3).fill(PAD);
  const row = g.resizedWidth * 3;
  for (let y = 0; y < g.resizedHeight; y++)
    out.set(resized.subarray(y * row, (y + 1) * row), ((y + g.top) * g.width + g.left) * 3);
  return { data: out, width: g.width, height: g.height };
}

/** Boxes in source pixels to letterboxed pixels. */
export function letterboxBoxes(boxes: readonly PxBox[], g: LetterboxGeometry): PxBox[] {
  return boxes.map((b) => {
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = toLetterbox(g, [b.x1, b.y1, b.x2, b.y2]);
    return { cls: b.cls, x1, y1, x2, y2 };
  });
}
