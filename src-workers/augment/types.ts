/**
 * The contract between the augmentation transforms and the service that runs them: an RGB image in
 * raw pixels plus its YOLO boxes in, the same out. Boxes carry their class; Albumentations' box
 * semantics (reference/augment/semantics.md) apply inside the pipeline.
 */
import type { RgbImage } from "../core/image-decode.js";
import type { YoloBox } from "../core/labels.js";

/** Interleaved 8-bit RGB, row-major, no padding: the same as every decoder of the project gives. */
export type RawImage = RgbImage;

export interface AugmentedImage {
  readonly image: RawImage;
  /** Boxes that survived every step's filter, clipped to the image, as YOLO normalised boxes. */
  readonly boxes: readonly YoloBox[];
}

/**
 * Variant k (1..7) of a source image: deterministic for (seed, source key, k). Variant 0 is the
 * original and is not produced by the pipeline.
 */
export type AugmentVariant = (
  image: RawImage,
  boxes: readonly YoloBox[],
  seed: number,
  key: string,
  k: number,
) => AugmentedImage;
