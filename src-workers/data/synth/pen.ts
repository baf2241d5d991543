/**
 * Drawing in an object's own frame: x along its length, y across, 1 unit = `scale` px, centred
 * at (cx, cy) and turned by `angle`. Object painters describe shapes once, at any size and rotation.
 */
import type { Canvas, Rgb, Shade } from "./canvas.js";

export class Pen {
  private readonly ca: number;
  private readonly sa: number;

  constructor(
    readonly canvas: Canvas,
    readonly cx: number,
    readonly cy: number,
    readonly angle: number,
    readonly scale: number,
  ) {
    this.ca = Math.cos(angle);
    this.sa = Math.sin(angle);
  }

  /** Canvas x of local (lx, ly). */
  px(lx: number, ly: number): number {
    return this.cx + (lx * this.ca - ly * this.sa) * this.scale;
  }

  py(lx: number, ly: number): number {
    return this.cy + (lx * this.sa + ly * this.ca) * this.scale;
  }

  /** Flat canvas points of flat local points. */
  map(local: readonly number[]): number[] {
    const out: number[] = [];
    for (let k = 0; k + 1 < local.length; k += 2)
      out.push(this.px(local[k]!, local[k + 1]!), this.py(local[k]!, local[k + 1]!));
    return out;
  }

  /** A shade written in local units, applied at canvas pixels. */
  local(fn: (lx: number, ly: number) => number): Shade {
    const inv = 1 / this.scale;
    return (x, y) => {
      const dx = (x - this.cx) * inv;
      const dy = (y - this.cy) * inv;
      return fn(dx * this.ca + dy * this.sa, -dx * this.sa + dy * this.ca);
    };
  }

  /** Rectangle of size w x h centred at local (lx, ly). */
  rect(lx: number, ly: number, w: number, h: number, c: Rgb, alpha = 1, shade?: Shade): void {
    const x0 = lx - w / 2;
    const x1 = lx + w / 2;
    const y0 = ly - h / 2;
    const y1 = ly + h / 2;
    this.canvas.polygon(this.map([x0, y0, x1, y0, x1, y1, x0, y1]), c, alpha, shade);
  }

  poly(local: readonly number[], c: Rgb, alpha = 1, shade?: Shade): void {
    this.canvas.polygon(this.map(local), c, alpha, shade);
  }

  ellipse(lx: number, ly: number, rx: number, ry: number, c: Rgb, alpha = 1, shade?: Shade): void {
    this.canvas.ellipse(
      this.px(lx, ly),
      this.py(lx, ly),
      rx * this.scale,
      ry * this.scale,
      this.angle,
      c,
      alpha,
      shade,
    );
  }

  /** Stroke `w` local units wide (never under 1 px). */
  line(lx0: number, ly0: number, lx1: number, ly1: number, w: number, c: Rgb, alpha = 1): void {
    this.canvas.line(
      this.px(lx0, ly0),
      this.py(lx0, ly0),
      this.px(lx1, ly1),
      this.py(lx1, ly1),
      w * this.scale,
      c,
      alpha,
    );
  }

  polyline(local: readonly number[], w: number, c: Rgb, alpha = 1, joints = true): void {
    this.canvas.polyline(this.map(local), w * this.scale, c, alpha, joints);
  }

  blob(lx: number, ly: number, r: number, c: Rgb, alpha: number): void {
    this.canvas.blob(this.px(lx, ly), this.py(lx, ly), r * this.scale, c, alpha);
  }
}
