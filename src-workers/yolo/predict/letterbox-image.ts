/**
 * Letterboxing pixels into model input, with no libtorch in the import graph: the ONNX Runtime
 * inference path and the libtorch predictor share it, so both see exactly the same input.
 */
import type { RgbImage } from "../../core/image-decode.js";
import type { LetterboxGeometry } from "./letterbox.js";
import { resizeLinear } from "./resize.js";

export const PAD_VALUE = 114;

const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Write one letterboxed image as CHW floats into `out` at `offset` (3 * g.height * g.width values). */
export function letterboxInto(img: RgbImage, g: LetterboxGeometry, out: Float32Array, offset = 0): void {
  const resized = resizeLinear(img.data, img.width, img.height, g.resizedWidth, g.resizedHeight, 3);
  const plane = g.width * g.height;
  out.fill(SCALE[PAD_VALUE]!, offset, offset + 3 * plane);
  for (let y = 0; y < g.resizedHeight; y++) {
    const row = (y + g.top) * g.width + g.left;
    const src = y * g.resizedWidth * 3;
    for (let x = 0; x < g.resizedWidth; x++) {
      const s = src + 3 * x;
      const d = offset + row + x;
      out[d] = SCALE[resized[s]!]!;
      out[d + plane] = SCALE[resized[s + 1]!]!;
      out[d + 2 * plane] = SCALE[resized[s + 2]!]!;
    }
  }
}
