/**
 * Flips and shift-scale-rotate: box maths as Albumentations 1.4.3 does it, pixels as one bilinear
 * warp on raw RGB with a constant border. Matrices are 2x3 affine maps [a, b, c, d, e, f]:
 * x' = a*x + b*y + c, y' = d*x + e*y + f, in pixel-centre coordinates unless said otherwise.
 */
import type { RawImage } from "../types.js";
import type { Box } from "./boxes.js";

export type Affine = readonly [number, number, number, number, number, number];

export interface SsrParams {
  /** Degrees, counter-clockwise positive (OpenCV). */
  readonly angle: number;
  readonly scale: number;
  /** Fractions of the width and height. */
  readonly dx: number;
  readonly dy: number;
}

export type RotateMethod = "largest_box" | "ellipse";

/** YOLO-style detection border: mid grey, so no mirrored objects without boxes appear. */
export const BORDER_VALUE = 114;

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

export function hflipBoxes(boxes: readonly Box[]): Box[] {
  return boxes.map((b) => ({ x0: 1 - b.x1, y0: b.y0, x1: 1 - b.x0, y1: b.y1, classId: b.classId }));
}

export function vflipBoxes(boxes: readonly Box[]): Box[] {
  return boxes.map((b) => ({ x0: b.x0, y0: 1 - b.y1, x1: b.x1, y1: 1 - b.y0, classId: b.classId }));
}

/** Pixel-centre matrix of a horizontal flip: column i goes to W-1-i, exactly. */
export function hflipMatrix(width: number): Affine {
  return [-1, 0, width - 1, 0, 1, 0];
}

/** cv2.getRotationMatrix2D(center, angle, scale), shift added to the translation as SSR does. */
export function rotationMatrix(cx: number, cy: number, p: SsrParams, width: number, height: number): Affine {
  const rad = (p.angle * Math.PI) / 180;
  const alpha = Math.cos(rad) * p.scale;
  const beta = Math.sin(rad) * p.scale;
  return [
    alpha,
    beta,
    (1 - alpha) * cx - beta * cy + p.dx * width,
    -beta,
    alpha,
    beta * cx + (1 - alpha) * cy + p.dy * height,
  ];
}

/** The image's SSR matrix: pivot (W/2-0.5, H/2-0.5) in pixel-centre coordinates. */
export function ssrMatrix(p: SsrParams, width: number, height: number): Affine {
  return rotationMatrix(width / 2 - 0.5, height / 2 - 0.5, p, width, height);
}

/** `ellipse`: 1.4.3's bbox_rotate, hull of the rotated inscribed ellipse, normalised coordinates. */
function ellipseHull(b: Box, angle: number, width: number, height: number): Box {
  const aspect = width / height;
  const w = (b.x1 - b.x0) / 2;
  const h = (b.y1 - b.y0) / 2;
  const rad = (angle * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity; // prettier-ignore
  for (let d = 0; d < 360; d++) {
    const t = (d * Math.PI) / 180;
    const x = w * Math.sin(t) + (w + b.x0 - 0.5);
    const y = h * Math.cos(t) + (h + b.y0 - 0.5);
    const xt = (cos * x * aspect + sin * y) / aspect + 0.5;
    const yt = -sin * x * aspect + cos * y + 0.5;
    x0 = Math.min(x0, xt);
    x1 = Math.max(x1, xt);
    y0 = Math.min(y0, yt);
    y1 = Math.max(y1, yt);
  }
  return { x0, y0, x1, y1, classId: b.classId };
}

/**
 * 1.4.3's bbox_shift_scale_rotate: corners in pixel-edge coordinates, pivot (W/2, H/2) (the same
 * point as the image's pivot), new box = axis-aligned hull of the 4 moved corners.
 */
export function ssrBoxes(
  boxes: readonly Box[],
  p: SsrParams,
  width: number,
  height: number,
  method: RotateMethod = "largest_box",
): Box[] {
  const rotate = method === "largest_box" ? p.angle : 0;
  const [a, b, c, d, e, f] = rotationMatrix(width / 2, height / 2, { ...p, angle: rotate }, width, height);
  return boxes.map((box0) => {
    const box = method === "ellipse" ? ellipseHull(box0, p.angle, width, height) : box0;
    const xs = [box.x0 * width, box.x1 * width];
    const ys = [box.y0 * height, box.y1 * height];
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity; // prettier-ignore
    for (const x of xs)
      for (const y of ys) {
        const tx = (a * x + b * y + c) / width;
        const ty = (d * x + e * y + f) / height;
        x0 = Math.min(x0, tx);
        x1 = Math.max(x1, tx);
        y0 = Math.min(y0, ty);
        y1 = Math.max(y1, ty);
      }
    return { x0, y0, x1, y1, classId: box.classId };
  });
}

/** `outer ∘ inner`: apply `inner` first. */
export function compose(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [p, q, r, s, t, u] = inner;
  return [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f];
}

export function invert(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0) throw new RangeError("singular affine matrix");
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det; // prettier-ignore
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** Per-channel table applied on store (a colour step fused in); identity when absent. */
const IDENTITY_LUT = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Exact horizontal mirror of raw RGB (no interpolation), `lut` applied on store. */
export function hflipImage(img: RawImage, lut: Uint8Array = IDENTITY_LUT): RawImage {
  const { width, height, data } = img;
  const out = new Uint8Array(data.length);
  const row = width * 3;
  for (let y = 0; y < height; y++) {
    const base = y * row;
    for (let x = 0, s = base + row - 3; x < row; x += 3, s -= 3) {
      out[base + x] = lut[data[s]!]!;
      out[base + x + 1] = lut[data[s + 1]!]!;
      out[base + x + 2] = lut[data[s + 2]!]!;
    }
  }
  return { data: out, width, height };
}

/**
 * cv2.warpAffine(INTER_LINEAR, BORDER_CONSTANT) by inverse mapping. `forward` maps source to output
 * pixel centres. Source positions are 16.16 fixed point stepped along each row (drift < 0.02 px
 * over 1280 px) and weights 8-bit (OpenCV uses 5 bits), so values can differ from OpenCV by a
 * level. Taps outside the image read the border value, as OpenCV does. `lut` is applied on store.
 */
export function warpAffine(
  img: RawImage,
  forward: Affine,
  outWidth = img.width,
  outHeight = img.height,
  border = BORDER_VALUE,
  lut: Uint8Array = IDENTITY_LUT,
): RawImage {
  const { width: W, height: H, data: src } = img;
  const [a, b, c, d, e, f] = invert(forward);
  const fill = lut[border]!;
  const out = new Uint8Array(outWidth * outHeight * 3);
  const row = W * 3;
  const A = Math.round(a * ONE);
  const D = Math.round(d * ONE);
  for (let v = 0; v < outHeight; v++) {
    const X0 = Math.round((b * v + c) * ONE);
    const Y0 = Math.round((e * v + f) * ONE);
    // Columns whose four taps are all inside: 0 <= X < (W-1)*ONE, same for Y; exact integer bounds.
    const [xl, xh] = span(X0, A, (W - 1) * ONE - 1, outWidth);
    const [yl, yh] = span(Y0, D, (H - 1) * ONE - 1, outWidth);
    const lo = Math.max(xl, yl);
    const hi = Math.min(xh, yh);
    const rowOut = v * outWidth * 3;
    for (let u = 0; u < outWidth; u++) {
      if (u === lo && lo <= hi) {
        let X = X0 + lo * A;
        let Y = Y0 + lo * D;
        let o = rowOut + lo * 3;
        for (; u <= hi; u++, X += A, Y += D, o += 3) {
          const fx = (X >> 8) & 255;
          const fy = (Y >> 8) & 255;
          const w00 = (256 - fx) * (256 - fy), w01 = fx * (256 - fy); // prettier-ignore
          const w10 = (256 - fx) * fy, w11 = fx * fy; // prettier-ignore
          const s = (Y >> 16) * row + (X >> 16) * 3;
          const t = s + row;
          out[o] =
            lut[(src[s]! * w00 + src[s + 3]! * w01 + src[t]! * w10 + src[t + 3]! * w11 + 32768) >> 16]!;
          out[o + 1] =
            lut[
              (src[s + 1]! * w00 + src[s + 4]! * w01 + src[t + 1]! * w10 + src[t + 4]! * w11 + 32768) >> 16
            ]!;
          out[o + 2] =
            lut[
              (src[s + 2]! * w00 + src[s + 5]! * w01 + src[t + 2]! * w10 + src[t + 5]! * w11 + 32768) >> 16
            ]!;
        }
        if (u >= outWidth) break;
      }
      const X = X0 + u * A;
      const Y = Y0 + u * D;
      const xi = Math.floor(X / ONE);
      const yi = Math.floor(Y / ONE);
      const o = rowOut + u * 3;
      if (xi < -1 || yi < -1 || xi >= W || yi >= H) out[o] = out[o + 1] = out[o + 2] = fill;
      else edgeSample(src, W, H, xi, yi, (X >> 8) & 255, (Y >> 8) & 255, border, lut, out, o);
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}

const ONE = 65536;

/** Integer u in [0, n) with 0 <= X0 + u*A <= max, as [lo, hi] (empty when lo > hi). */
function span(X0: number, A: number, max: number, n: number): [number, number] {
  if (A === 0) return X0 >= 0 && X0 <= max ? [0, n - 1] : [0, -1];
  const p = -X0 / A;
  const q = (max - X0) / A;
  const lo = Math.ceil(Math.min(p, q) - 1e-9);
  const hi = Math.floor(Math.max(p, q) + 1e-9);
  // Nudge the float bounds to the exact integer condition.
  const ok = (u: number): boolean => X0 + u * A >= 0 && X0 + u * A <= max;
  let l = Math.max(0, lo), h = Math.min(n - 1, hi); // prettier-ignore
  while (l <= h && !ok(l)) l++;
  while (h >= l && !ok(h)) h--;
  return [l, h];
}

/** Slow path for the one-pixel rim where some taps fall outside the image. */
function edgeSample(
  src: Uint8Array,
  W: number,
  H: number,
  xi: number,
  yi: number,
  fx: number,
  fy: number,
  border: number,
  lut: Uint8Array,
  out: Uint8Array,
  o: number,
): void {
  const weights = [(256 - fx) * (256 - fy), fx * (256 - fy), (256 - fx) * fy, fx * fy];
  for (let ch = 0; ch < 3; ch++) {
    let acc = 32768;
    for (let k = 0; k < 4; k++) {
      const x = xi + (k & 1);
      const y = yi + (k >> 1);
      const v = x >= 0 && y >= 0 && x < W && y < H ? src[(y * W + x) * 3 + ch]! : border;
      acc += v * weights[k]!;
    }
    out[o + ch] = lut[acc >> 16]!;
  }
}
