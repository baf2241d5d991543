/**
 * The default augmentation pipeline: flip, bbox-safe crop, shift-scale-rotate, brightness/contrast,
 * HSV, gamma, blur or noise. Sampling (seeded, per source key and variant) is separate from
 * applying, so tests can apply fixed parameters. Boxes follow Albumentations 1.4.3 step by step;
 * pixels take one composed warp for all geometry (fewer passes, one interpolation instead of two).
 */
import type { YoloBox } from "../core/labels.js";
import { Rng } from "../data/synth/prng.js";
import { boxBlur } from "./transforms/blur.js";
import { filterBoxes, fromYolo, toYolo, type Box, type BoxFilter } from "./transforms/boxes.js";
import { channelLut, hsvInPlace, type ColourParams } from "./transforms/colour.js";
import { cropBoxes, cropResizeMatrix, sampleSafeCrop, type CropWindow } from "./transforms/crop.js";
import {
  BORDER_VALUE,
  compose,
  hflipBoxes,
  hflipImage,
  hflipMatrix,
  IDENTITY,
  ssrBoxes,
  ssrMatrix,
  warpAffine,
  type Affine,
  type SsrParams,
} from "./transforms/geometry.js";
import { gaussNoiseInPlace, type NoiseParams } from "./transforms/noise.js";
import type { AugmentedImage, AugmentVariant, RawImage } from "./types.js";

export interface PipelineConfig {
  readonly filter: BoxFilter;
  readonly flipP: number;
  readonly cropP: number;
  /** ShiftScaleRotate: shift as a fraction of the size, scale 1 +- scaleLimit, angle +- degrees. */
  readonly ssr: {
    readonly p: number;
    readonly shift: number;
    readonly scaleLimit: number;
    readonly rotate: number;
  };
  readonly brightnessContrast: { readonly p: number; readonly brightness: number; readonly contrast: number };
  readonly hsv: { readonly p: number; readonly hue: number; readonly sat: number; readonly val: number };
  /** RandomGamma's gamma_limit, in percent. */
  readonly gamma: { readonly p: number; readonly lo: number; readonly hi: number };
  /** OneOf(Blur(blur_limit), GaussNoise(var_limit)), even odds between the two. */
  readonly blurOrNoise: {
    readonly p: number;
    readonly maxKernel: number;
    readonly varLo: number;
    readonly varHi: number;
  };
}

/** The issue's pipeline; where it names no value, Albumentations 1.4.3's defaults. */
/**
 * Bump when the transforms or DEFAULT_PIPELINE change what they produce: the service mixes it into
 * each source's content hash, so every processed image is redone with the new pipeline.
 */
export const PIPELINE_VERSION = 1;

export const DEFAULT_PIPELINE: PipelineConfig = {
  filter: { minVisibility: 0.3, minArea: 0, minWidth: 0, minHeight: 0 },
  flipP: 0.5,
  cropP: 0.3,
  ssr: { p: 0.5, shift: 0.0625, scaleLimit: 0.1, rotate: 45 },
  brightnessContrast: { p: 0.5, brightness: 0.2, contrast: 0.2 },
  hsv: { p: 0.5, hue: 20, sat: 30, val: 20 },
  gamma: { p: 0.5, lo: 80, hi: 120 },
  blurOrNoise: { p: 0.3, maxKernel: 7, varLo: 10, varHi: 50 },
};

/** Everything random about one variant, fixed. Absent steps were not drawn. */
export interface VariantParams {
  readonly flip: boolean;
  readonly crop?: CropWindow;
  readonly ssr?: SsrParams;
  readonly colour: ColourParams;
  readonly blur?: number;
  readonly noise?: NoiseParams;
}

/** FNV-1a: a source key to 32 bits, stable across runs and processes. */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function variantRng(seed: number, key: string, k: number): Rng {
  return Rng.of(seed, keyHash(key), k);
}

/** Box steps in order, each followed by the filter (check_each_transform). */
function geometryBoxes(
  boxes: readonly Box[],
  p: Partial<VariantParams>,
  W: number,
  H: number,
  f: BoxFilter,
): Box[] {
  let b = p.flip ? filterBoxes(hflipBoxes(boxes), W, H, f) : [...boxes];
  if (p.crop) b = filterBoxes(cropBoxes(b, p.crop, W, H), W, H, f);
  if (p.ssr) b = filterBoxes(ssrBoxes(b, p.ssr, W, H), W, H, f);
  // Image-only steps follow: the filter is idempotent on boxes it already kept at this size.
  return b;
}

export function sampleVariant(
  rng: Rng,
  width: number,
  height: number,
  boxes: readonly Box[],
  cfg: PipelineConfig = DEFAULT_PIPELINE,
): VariantParams {
  const flip = rng.chance(cfg.flipP);
  let crop: CropWindow | undefined;
  if (rng.chance(cfg.cropP)) {
    const flipped = geometryBoxes(boxes, { flip }, width, height, cfg.filter);
    crop = sampleSafeCrop(flipped, width, height, () => rng.next());
  }
  const s = cfg.ssr;
  const ssr = rng.chance(s.p)
    ? {
        angle: rng.range(-s.rotate, s.rotate),
        scale: rng.range(1 - s.scaleLimit, 1 + s.scaleLimit),
        dx: rng.range(-s.shift, s.shift),
        dy: rng.range(-s.shift, s.shift),
      }
    : undefined;
  const { brightnessContrast: bc, hsv, gamma: g } = cfg;
  const colour: { -readonly [K in keyof ColourParams]: ColourParams[K] } = {};
  if (rng.chance(bc.p))
    colour.bc = {
      alpha: 1 + rng.range(-bc.contrast, bc.contrast),
      beta: rng.range(-bc.brightness, bc.brightness),
    };
  if (rng.chance(hsv.p))
    colour.hsv = {
      hue: rng.range(-hsv.hue, hsv.hue),
      sat: rng.range(-hsv.sat, hsv.sat),
      val: rng.range(-hsv.val, hsv.val),
    };
  if (rng.chance(g.p)) colour.gamma = rng.int(g.lo, g.hi) / 100;
  const bn = cfg.blurOrNoise;
  let blur: number | undefined;
  let noise: NoiseParams | undefined;
  if (rng.chance(bn.p)) {
    if (rng.chance(0.5)) blur = 2 * rng.int(1, (bn.maxKernel - 1) >> 1) + 1;
    else noise = { sigma: Math.sqrt(rng.range(bn.varLo, bn.varHi)), seed: rng.u32() };
  }
  return {
    flip,
    colour,
    ...(crop ? { crop } : {}),
    ...(ssr ? { ssr } : {}),
    ...(blur !== undefined ? { blur } : {}),
    ...(noise ? { noise } : {}),
  };
}

/** The pixel-centre map of all geometric steps, source to output. */
export function geometryMatrix(p: VariantParams, width: number, height: number): Affine {
  let m = p.flip ? hflipMatrix(width) : IDENTITY;
  if (p.crop) m = compose(cropResizeMatrix(p.crop, width, height), m);
  if (p.ssr) m = compose(ssrMatrix(p.ssr, width, height), m);
  return m;
}

export function applyBoxes(
  boxes: readonly Box[],
  p: VariantParams,
  width: number,
  height: number,
  filter: BoxFilter = DEFAULT_PIPELINE.filter,
): Box[] {
  return geometryBoxes(boxes, p, width, height, filter);
}

function lutCopy(src: Uint8Array, lut: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]!]!;
  return out;
}

export function applyImage(image: RawImage, p: VariantParams): RawImage {
  const { width, height } = image;
  // Brightness/contrast (and gamma without HSV) ride on the geometry pass's stores.
  const lut = channelLut(p.colour);
  let out: RawImage;
  if (p.crop || p.ssr)
    out = warpAffine(image, geometryMatrix(p, width, height), width, height, BORDER_VALUE, lut);
  else if (p.flip) out = hflipImage(image, lut);
  else out = { data: lutCopy(image.data, lut), width, height };
  if (p.colour.hsv) hsvInPlace(out.data, p.colour.hsv, p.colour.gamma);
  if (p.blur !== undefined) out = boxBlur(out, p.blur);
  if (p.noise) gaussNoiseInPlace(out.data, width * 3, p.noise);
  return out;
}

export function applyVariant(
  image: RawImage,
  boxes: readonly YoloBox[],
  p: VariantParams,
  filter: BoxFilter = DEFAULT_PIPELINE.filter,
): AugmentedImage {
  const kept = applyBoxes(fromYolo(boxes), p, image.width, image.height, filter);
  return { image: applyImage(image, p), boxes: toYolo(kept) };
}

/** Variant k of a source image: the same (seed, key, k) always gives the same bytes and boxes. */
export const augmentVariant: AugmentVariant = (image, boxes, seed, key, k) => {
  const rng = variantRng(seed, key, k);
  const params = sampleVariant(rng, image.width, image.height, fromYolo(boxes), DEFAULT_PIPELINE);
  return applyVariant(image, boxes, params, DEFAULT_PIPELINE.filter);
};
