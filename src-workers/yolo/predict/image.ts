/** Images into model input: decode with sharp, letterbox, lay out as a float CHW batch in [0, 1]. */
import type { RgbImage } from "../../core/image-decode.js";
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { letterboxGeometry, type LetterboxGeometry, type LetterboxOptions } from "./letterbox.js";
import { letterboxInto } from "./letterbox-image.js";

// Kept here too for the code that imports them from this module.
export { letterboxInto, PAD_VALUE } from "./letterbox-image.js";

export interface LetterboxedBatch {
  /** (B, 3, H, W) float32 in [0, 1]. */
  readonly tensor: Tensor;
  readonly geometry: readonly LetterboxGeometry[];
}

/**
 * Letterbox several images into one batch. As Ultralytics' predictor does, `auto` (minimal stride
 * padding) is used only when every image has the same size, so all share one input shape;
 * otherwise each is padded to the full square.
 */
export function letterboxBatch(
  images: readonly RgbImage[],
  imgsz: number | readonly [number, number],
  stride: number,
  rect = true,
): LetterboxedBatch {
  if (images.length === 0) throw new Error("letterboxBatch: no images");
  const same = images.every((im) => im.width === images[0]!.width && im.height === images[0]!.height);
  const opts: LetterboxOptions = { newShape: imgsz, auto: rect && same, stride };
  const geometry = images.map((im) => letterboxGeometry(im.width, im.height, opts));
  const { width, height } = geometry[0]!;
  const per = 3 * width * height;
  const buf = new Float32Array(per * images.length);
  images.forEach((im, i) => letterboxInto(im, geometry[i]!, buf, i * per));
  return { tensor: torch.tensor(buf, [images.length, 3, height, width]), geometry };
}
