/**
 * Ultralytics' 4-image Mosaic: a 2S x 2S canvas of grey 114, a random centre (xc, yc) in
 * [S/2, 3S/2), the images placed top-left, top-right, bottom-left, bottom-right of it and cut at the
 * canvas edge; boxes shifted with their image, clipped to the canvas, zero-area ones dropped.
 */
import type { Rng } from "../../data/synth/prng.js";
import { PAD, type PxBox, type Sample } from "./sample.js";

export function mosaic4(parts: readonly Sample[], S: number, rng: Rng): Sample {
  if (parts.length !== 4) throw new RangeError(`mosaic4 needs 4 images, got ${parts.length}`);
  const M = 2 * S;
  const xc = Math.trunc(rng.range(S / 2, M - S / 2));
  const yc = Math.trunc(rng.range(S / 2, M - S / 2));
  const out = new Uint8Array(M * M * 3).fill(PAD);
  const boxes: PxBox[] = [];
  parts.forEach((p, i) => {
    const { width: w, height: h, data } = p.img;
    let x1a: number, y1a: number, x2a: number, y2a: number; // prettier-ignore
    let x1b: number, y1b: number, x2b: number, y2b: number; // prettier-ignore
    if (i === 0) {
      [x1a, y1a, x2a, y2a] = [Math.max(xc - w, 0), Math.max(yc - h, 0), xc, yc];
      [x1b, y1b, x2b, y2b] = [w - (x2a - x1a), h - (y2a - y1a), w, h];
    } else if (i === 1) {
      [x1a, y1a, x2a, y2a] = [xc, Math.max(yc - h, 0), Math.min(xc + w, M), yc];
      [x1b, y1b, x2b, y2b] = [0, h - (y2a - y1a), Math.min(w, x2a - x1a), h];
    } else if (i === 2) {
      [x1a, y1a, x2a, y2a] = [Math.max(xc - w, 0), yc, xc, Math.min(M, yc + h)];
      [x1b, y1b, x2b, y2b] = [w - (x2a - x1a), 0, w, Math.min(y2a - y1a, h)];
    } else {
      [x1a, y1a, x2a, y2a] = [xc, yc, Math.min(xc + w, M), Math.min(M, yc + h)];
      [x1b, y1b, x2b, y2b] = [0, 0, Math.min(w, x2a - x1a), Math.min(y2a - y1a, h)];
    }
    const rowBytes = (x2b - x1b) * 3;
    for (let y = 0; y < y2b - y1b; y++) {
      const s = ((y1b + y) * w + x1b) * 3;
      out.set(data.subarray(s, s + rowBytes), ((y1a + y) * M + x1a) * 3);
    }
    const padw = x1a - x1b;
    const padh = y1a - y1b;
    for (const b of p.boxes) {
      const x1 = clip(b.x1 + padw, M);
      const y1 = clip(b.y1 + padh, M);
      const x2 = clip(b.x2 + padw, M);
      const y2 = clip(b.y2 + padh, M);
      if (x2 > x1 && y2 > y1) boxes.push({ cls: b.cls, x1, y1, x2, y2 });
    }
  });
  return { img: { data: out, width: M, height: M }, boxes };
}

const clip = (v: number, hi: number): number => (v < 0 ? 0 : v > hi ? hi : v);
