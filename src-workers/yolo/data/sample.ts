/** What the per-image transforms pass along: raw RGB pixels and boxes as pixel corners. */
import type { RawImage } from "../../augment/types.js";

export type { RawImage };

/** A box in pixels of the image it travels with: corners, class. */
export interface PxBox {
  readonly cls: number;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export interface Sample {
  readonly img: RawImage;
  readonly boxes: readonly PxBox[];
}

/** Ultralytics' train-time defaults (cfg/default.yaml). perspective is not supported (always 0). */
export interface AugmentConfig {
  /** Probability of a 4-image mosaic. */
  readonly mosaic: number;
  readonly degrees: number;
  /** Fraction of the output size. */
  readonly translate: number;
  /** Scale gain: uniform in [1 - scale, 1 + scale]. */
  readonly scale: number;
  /** Degrees. */
  readonly shear: number;
  readonly hsvH: number;
  readonly hsvS: number;
  readonly hsvV: number;
  readonly fliplr: number;
  readonly flipud: number;
}

export const DEFAULT_AUGMENT: AugmentConfig = {
  mosaic: 1.0,
  degrees: 0,
  translate: 0.1,
  scale: 0.5,
  shear: 0,
  hsvH: 0.015,
  hsvS: 0.7,
  hsvV: 0.4,
  fliplr: 0.5,
  flipud: 0,
};

export const PAD = 114;
