/**
 * Letterbox geometry as Ultralytics' LetterBox (8.3.253): scale to fit, round the resized size,
 * pad to the target (or, with `auto`, only to the next stride multiple) and split the padding
 * with the ±0.1 rounding, so a box maps to and from model pixels exactly as Ultralytics maps it.
 */
import { pyRound } from "../../core/py-round.js";

export interface LetterboxOptions {
  /** Target size: one number for a square, or [height, width]. */
  readonly newShape: number | readonly [number, number];
  /** Pad only to a multiple of `stride` (the predictor's rect mode) instead of to newShape. */
  readonly auto?: boolean;
  /** Allow enlarging small images (Ultralytics' default). */
  readonly scaleup?: boolean;
  /** Centre the image (padding on both sides) rather than pad bottom/right only. */
  readonly center?: boolean;
  readonly stride?: number;
}

export interface LetterboxGeometry {
  readonly srcWidth: number;
  readonly srcHeight: number;
  /** The letterboxed image (what the model sees). */
  readonly width: number;
  readonly height: number;
  readonly ratio: number;
  readonly resizedWidth: number;
  readonly resizedHeight: number;
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

export function letterboxGeometry(
  srcWidth: number,
  srcHeight: number,
  o: LetterboxOptions,
): LetterboxGeometry {
  const [nh, nw] = typeof o.newShape === "number" ? [o.newShape, o.newShape] : o.newShape;
  const stride = o.stride ?? 32;
  const center = o.center ?? true;
  let r = Math.min(nh / srcHeight, nw / srcWidth);
  if (o.scaleup === false) r = Math.min(r, 1);
  const resizedWidth = pyRound(srcWidth * r);
  const resizedHeight = pyRound(srcHeight * r);
  let dw = nw - resizedWidth;
  let dh = nh - resizedHeight;
  if (o.auto) {
    // np.mod: non-negative even when the resized size overshoots.
    dw = ((dw % stride) + stride) % stride;
    dh = ((dh % stride) + stride) % stride;
  }
  if (center) {
    dw /= 2;
    dh /= 2;
  }
  const top = center ? pyRound(dh - 0.1) : 0;
  const bottom = pyRound(dh + 0.1);
  const left = center ? pyRound(dw - 0.1) : 0;
  const right = pyRound(dw + 0.1);
  return {
    srcWidth,
    srcHeight,
    width: resizedWidth + left + right,
    height: resizedHeight + top + bottom,
    ratio: r,
    resizedWidth,
    resizedHeight,
    top,
    bottom,
    left,
    right,
  };
}

/** A source-pixel box in letterboxed pixels (LetterBox's own label update: scale, then add the pad). */
export function toLetterbox(g: LetterboxGeometry, xyxy: readonly number[]): number[] {
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = xyxy;
  return [x1 * g.ratio + g.left, y1 * g.ratio + g.top, x2 * g.ratio + g.left, y2 * g.ratio + g.top];
}

export interface ScaleBack {
  readonly gain: number;
  readonly padX: number;
  readonly padY: number;
}

/**
 * How ops.scale_boxes (without ratio_pad, the predictor's call) undoes a letterbox: the gain and
 * padding recomputed from the two image sizes only.
 */
export function scaleBack(inW: number, inH: number, srcW: number, srcH: number): ScaleBack {
  const gain = Math.min(inH / srcH, inW / srcW);
  return {
    gain,
    padX: pyRound((inW - pyRound(srcW * gain)) / 2 - 0.1),
    padY: pyRound((inH - pyRound(srcH * gain)) / 2 - 0.1),
  };
}
