/**
 * Ultralytics' RandomPerspective without the perspective term: M = T * Sh * R * C (C moves the
 * image centre to the origin, R rotates by uniform(-degrees, degrees) and scales by
 * uniform(1 - scale, 1 + scale), Sh shears, T moves the origin to uniform(0.5 +- translate) of the
 * output), pixels warped with border 114 into an output of the input size + 2 * border. Boxes are
 * the hull of their moved corners, clipped, then box_candidates keeps those with w, h > 2 px,
 * area > 10% of the box scaled alone, aspect < 100.
 */
import { compose, warpAffine, type Affine } from "../../augment/transforms/geometry.js";
import type { Rng } from "../../data/synth/prng.js";
import { PAD, type AugmentConfig, type PxBox, type Sample } from "./sample.js";

export type AffineParams = Pick<AugmentConfig, "degrees" | "translate" | "scale" | "shear">;

/** The drawn matrix and its scale (box_candidates compares against boxes scaled by it). */
export function randomAffineMatrix(
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  p: AffineParams,
  rng: Rng,
): { m: Affine; scale: number } {
  const C: Affine = [1, 0, -inW / 2, 0, 1, -inH / 2];
  const a = (rng.range(-p.degrees, p.degrees) * Math.PI) / 180;
  const s = rng.range(1 - p.scale, 1 + p.scale);
  // cv2.getRotationMatrix2D(center=(0, 0), angle=a, scale=s).
  const R: Affine = [Math.cos(a) * s, Math.sin(a) * s, 0, -Math.sin(a) * s, Math.cos(a) * s, 0];
  const shx = Math.tan((rng.range(-p.shear, p.shear) * Math.PI) / 180);
  const shy = Math.tan((rng.range(-p.shear, p.shear) * Math.PI) / 180);
  const Sh: Affine = [1, shx, 0, shy, 1, 0];
  const tx = rng.range(0.5 - p.translate, 0.5 + p.translate) * outW;
  const ty = rng.range(0.5 - p.translate, 0.5 + p.translate) * outH;
  const T: Affine = [1, 0, tx, 0, 1, ty];
  return { m: compose(T, compose(Sh, compose(R, C))), scale: s };
}

/** Boxes through `m`: hull of the 4 corners, clipped to the output, filtered by box_candidates. */
export function affineBoxes(
  boxes: readonly PxBox[],
  m: Affine,
  scale: number,
  outW: number,
  outH: number,
): PxBox[] {
  const [a, b, c, d, e, f] = m;
  const out: PxBox[] = [];
  for (const bx of boxes) {
    const xs = [bx.x1, bx.x2, bx.x1, bx.x2];
    const ys = [bx.y1, bx.y2, bx.y2, bx.y1];
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity; // prettier-ignore
    for (let k = 0; k < 4; k++) {
      const x = a * xs[k]! + b * ys[k]! + c;
      const y = d * xs[k]! + e * ys[k]! + f;
      x1 = Math.min(x1, x);
      x2 = Math.max(x2, x);
      y1 = Math.min(y1, y);
      y2 = Math.max(y2, y);
    }
    const nb = {
      cls: bx.cls,
      x1: clip(x1, outW),
      y1: clip(y1, outH),
      x2: clip(x2, outW),
      y2: clip(y2, outH),
    };
    if (boxCandidate((bx.x2 - bx.x1) * scale, (bx.y2 - bx.y1) * scale, nb.x2 - nb.x1, nb.y2 - nb.y1))
      out.push(nb);
  }
  return out;
}

/** Ultralytics' box_candidates(wh_thr=2, ar_thr=100, area_thr=0.1, eps=1e-16). */
export function boxCandidate(w1: number, h1: number, w2: number, h2: number): boolean {
  const eps = 1e-16;
  const ar = Math.max(w2 / (h2 + eps), h2 / (w2 + eps));
  return w2 > 2 && h2 > 2 && (w2 * h2) / (w1 * h1 + eps) > 0.1 && ar < 100;
}

/** `border` < 0 shrinks the output (-S/2 after a 2S mosaic gives S x S). */
export function randomAffine(s: Sample, p: AffineParams, rng: Rng, border = 0): Sample {
  const outW = s.img.width + 2 * border;
  const outH = s.img.height + 2 * border;
  const { m, scale } = randomAffineMatrix(s.img.width, s.img.height, outW, outH, p, rng);
  return {
    img: warpAffine(s.img, m, outW, outH, PAD),
    boxes: affineBoxes(s.boxes, m, scale, outW, outH),
  };
}

const clip = (v: number, hi: number): number => (v < 0 ? 0 : v > hi ? hi : v);
