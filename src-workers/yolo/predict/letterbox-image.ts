/**
 * Letterboxing pixels into model input, with no libtorch in the import graph: the ONNX Runtime
 * inference path and the libtorch predictor share it, so both see exactly the same input.
 * It runs once per video frame, so it writes the planes directly: only the padding is filled, and
 * the exact-half resize (1280x720 into 640 px, the common case) is fused with the conversion to
 * floats, with no intermediate image.
 */
import type { RgbImage } from "../../core/image-decode.js";
import type { LetterboxGeometry } from "./letterbox.js";
import { resizeLinear } from "./resize.js";

export const PAD_VALUE = 114;

const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Write one letterboxed image as CHW floats into `out` at `offset` (3 * g.height * g.width values). */
export function letterboxInto(img: RgbImage, g: LetterboxGeometry, out: Float32Array, offset = 0): void {
  const plane = g.width * g.height;
  fillPadding(g, out, offset, plane);
  const { resizedWidth: rw, resizedHeight: rh } = g;
  const p1 = offset + plane;
  const p2 = offset + 2 * plane;
  if (img.width === 2 * rw && img.height === 2 * rh) {
    // cv2's INTER_AREA fast path for exactly half size (resize.ts halve): the rounded 2x2 mean.
    const src = img.data;
    const step = img.width * 3;
    for (let y = 0; y < rh; y++) {
      const d0 = (y + g.top) * g.width + g.left;
      let s = 2 * y * step;
      for (let x = 0; x < rw; x++, s += 6) {
        const t = s + step;
        out[offset + d0 + x] = SCALE[(src[s]! + src[s + 3]! + src[t]! + src[t + 3]! + 2) >> 2]!;
        out[p1 + d0 + x] = SCALE[(src[s + 1]! + src[s + 4]! + src[t + 1]! + src[t + 4]! + 2) >> 2]!;
        out[p2 + d0 + x] = SCALE[(src[s + 2]! + src[s + 5]! + src[t + 2]! + src[t + 5]! + 2) >> 2]!;
      }
    }
    return;
  }
  const resized = resizeLinear(img.data, img.width, img.height, rw, rh, 3);
  for (let y = 0; y < rh; y++) {
    const d0 = (y + g.top) * g.width + g.left;
    let s = y * rw * 3;
    for (let x = 0; x < rw; x++, s += 3) {
      out[offset + d0 + x] = SCALE[resized[s]!]!;
      out[p1 + d0 + x] = SCALE[resized[s + 1]!]!;
      out[p2 + d0 + x] = SCALE[resized[s + 2]!]!;
    }
  }
}

/** The grey border around the resized image, in each of the three planes. */
function fillPadding(g: LetterboxGeometry, out: Float32Array, offset: number, plane: number): void {
  const grey = SCALE[PAD_VALUE]!;
  const right = g.width - g.left - g.resizedWidth;
  for (let c = 0; c < 3; c++) {
    const p = offset + c * plane;
    out.fill(grey, p, p + g.top * g.width);
    out.fill(grey, p + (g.top + g.resizedHeight) * g.width, p + plane);
    for (let y = g.top; y < g.top + g.resizedHeight; y++) {
      const row = p + y * g.width;
      if (g.left > 0) out.fill(grey, row, row + g.left);
      if (right > 0) out.fill(grey, row + g.left + g.resizedWidth, row + g.width);
    }
  }
}
