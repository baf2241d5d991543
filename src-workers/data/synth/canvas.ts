/**
 * A raw RGB raster with the few primitives the scenes need: spans, scanline polygons, ellipses,
 * thick lines and soft blobs. Every write that is visible updates a bounds tracker, so an
 * object's label box is the tight box of what was actually drawn, not of what was intended.
 */
export type Rgb = readonly [number, number, number];

/** Pixel bounds: x0 <= x < x1, y0 <= y < y1. */
export interface PixelBounds {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Multiplies a fill colour per pixel (stripes, meshes, shading); 1 leaves it unchanged. */
export type Shade = (x: number, y: number) => number;

/** Blends fainter than this are drawn but do not count towards an object's box. */
const TRACK_ALPHA = 0.12;

export class Canvas {
  readonly data: Uint8Array;
  /** Off while drawing what is not part of an object (its cast shadow): writes leave the bounds alone. */
  track = true;
  private bx0 = Infinity;
  private by0 = Infinity;
  private bx1 = -Infinity;
  private by1 = -Infinity;
  /** Edge crossings of the current scanline; grown on demand. */
  private xs = new Float64Array(64);

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3);
  }

  resetBounds(): void {
    this.bx0 = this.by0 = Infinity;
    this.bx1 = this.by1 = -Infinity;
  }

  /** What was drawn since resetBounds(), or undefined when nothing visible was. */
  bounds(): PixelBounds | undefined {
    if (this.bx1 < this.bx0) return undefined;
    return { x0: this.bx0, y0: this.by0, x1: this.bx1, y1: this.by1 };
  }

  private mark(xa: number, xb: number, y: number): void {
    if (xa < this.bx0) this.bx0 = xa;
    if (xb > this.bx1) this.bx1 = xb;
    if (y < this.by0) this.by0 = y;
    if (y + 1 > this.by1) this.by1 = y + 1;
  }

  fill(c: Rgb): void {
    const d = this.data;
    for (let i = 0; i < d.length; i += 3) {
      d[i] = c[0];
      d[i + 1] = c[1];
      d[i + 2] = c[2];
    }
  }

  /** Blend `c` over pixels [xa, xb) of row y; clipped to the canvas. */
  span(y: number, xa: number, xb: number, c: Rgb, alpha = 1, shade?: Shade): void {
    if (y < 0 || y >= this.height) return;
    if (xa < 0) xa = 0;
    if (xb > this.width) xb = this.width;
    if (xa >= xb || alpha <= 0) return;
    if (alpha >= TRACK_ALPHA && this.track) this.mark(xa, xb, y);
    const d = this.data;
    let i = (y * this.width + xa) * 3;
    const a = alpha >= 1 ? 1 : alpha;
    const b = 1 - a;
    for (let x = xa; x < xb; x++, i += 3) {
      const s = shade ? shade(x + 0.5, y + 0.5) * a : a;
      if (a === 1 && !shade) {
        d[i] = c[0];
        d[i + 1] = c[1];
        d[i + 2] = c[2];
      } else {
        // Uint8Array stores clamp-free: clamp here, shades may push past 255.
        d[i] = clamp255(c[0] * s + d[i]! * b);
        d[i + 1] = clamp255(c[1] * s + d[i + 1]! * b);
        d[i + 2] = clamp255(c[2] * s + d[i + 2]! * b);
      }
    }
  }

  /** Even-odd scanline fill of a polygon given as flat [x0, y0, x1, y1, ...]; pixel centres decide. */
  polygon(pts: readonly number[], c: Rgb, alpha = 1, shade?: Shade): void {
    const n = pts.length >> 1;
    if (n < 3) return;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let k = 1; k < pts.length; k += 2) {
      const y = pts[k]!;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const yStart = Math.max(0, Math.ceil(minY - 0.5));
    const yEnd = Math.min(this.height, Math.ceil(maxY - 0.5));
    if (this.xs.length < n) this.xs = new Float64Array(n * 2);
    const xs = this.xs;
    for (let y = yStart; y < yEnd; y++) {
      const sy = y + 0.5;
      let m = 0;
      for (let e = 0, p = n - 1; e < n; p = e++) {
        const x1 = pts[2 * p]!;
        const y1 = pts[2 * p + 1]!;
        const x2 = pts[2 * e]!;
        const y2 = pts[2 * e + 1]!;
        if ((y1 <= sy && y2 > sy) || (y2 <= sy && y1 > sy))
          xs[m++] = x1 + ((sy - y1) * (x2 - x1)) / (y2 - y1);
      }
      // Insertion sort: a scanline crosses few edges.
      for (let i = 1; i < m; i++) {
        const v = xs[i]!;
        let j = i - 1;
        while (j >= 0 && xs[j]! > v) {
          xs[j + 1] = xs[j]!;
          j--;
        }
        xs[j + 1] = v;
      }
      for (let k = 0; k + 1 < m; k += 2) {
        this.span(y, Math.ceil(xs[k]! - 0.5), Math.ceil(xs[k + 1]! - 0.5), c, alpha, shade);
      }
    }
  }

  /** Ellipse with radii rx, ry, rotated by `angle` radians, as a polygon fine enough for its size. */
  ellipse(
    cx: number,
    cy: number,
    rx: number,
    ry: number,
    angle: number,
    c: Rgb,
    alpha = 1,
    shade?: Shade,
  ): void {
    const segs = Math.max(8, Math.min(64, Math.round((rx + ry) * 1.5)));
    const ca = Math.cos(angle);
    const sa = Math.sin(angle);
    const pts: number[] = [];
    for (let k = 0; k < segs; k++) {
      const t = (k / segs) * Math.PI * 2;
      const ex = Math.cos(t) * rx;
      const ey = Math.sin(t) * ry;
      pts.push(cx + ex * ca - ey * sa, cy + ex * sa + ey * ca);
    }
    this.polygon(pts, c, alpha, shade);
  }

  /** A straight stroke `width` px wide (at least 1, so thin parts never vanish). */
  line(x0: number, y0: number, x1: number, y1: number, width: number, c: Rgb, alpha = 1): void {
    const len = Math.hypot(x1 - x0, y1 - y0);
    if (len < 1e-6) return;
    const h = Math.max(1, width) / 2;
    const nx = (-(y1 - y0) / len) * h;
    const ny = ((x1 - x0) / len) * h;
    this.polygon([x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny], c, alpha);
  }

  /** Connected strokes through flat [x, y, ...] points, with round joints so corners have no notches. */
  polyline(pts: readonly number[], width: number, c: Rgb, alpha = 1, joints = true): void {
    for (let k = 0; k + 3 < pts.length; k += 2) {
      this.line(pts[k]!, pts[k + 1]!, pts[k + 2]!, pts[k + 3]!, width, c, alpha);
      if (joints && k + 4 < pts.length && width > 2) {
        this.ellipse(pts[k + 2]!, pts[k + 3]!, width / 2, width / 2, 0, c, alpha);
      }
    }
  }

  /** A round blob whose opacity falls smoothly to 0 at radius r (smoke, haze, shadows of crowns). */
  blob(cx: number, cy: number, r: number, c: Rgb, alpha: number): void {
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(this.width, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(this.height, Math.ceil(cy + r));
    const inv = 1 / (r * r);
    const d = this.data;
    for (let y = y0; y < y1; y++) {
      const dy = y + 0.5 - cy;
      let i = (y * this.width + x0) * 3;
      for (let x = x0; x < x1; x++, i += 3) {
        const dx = x + 0.5 - cx;
        const q = 1 - (dx * dx + dy * dy) * inv;
        if (q <= 0) continue;
        const a = alpha * q * q;
        if (a >= TRACK_ALPHA && this.track) this.mark(x, x + 1, y);
        const b = 1 - a;
        d[i] = c[0] * a + d[i]! * b;
        d[i + 1] = c[1] * a + d[i + 1]! * b;
        d[i + 2] = c[2] * a + d[i + 2]! * b;
      }
    }
  }
}

export function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** `c` scaled in brightness by `k` (0.8 darker, 1.2 lighter), clamped. */
export function tone(c: Rgb, k: number): Rgb {
  return [clamp255(c[0] * k), clamp255(c[1] * k), clamp255(c[2] * k)];
}

/** Linear mix of two colours: t = 0 gives a, 1 gives b. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}
