/**
 * What an object painter is, and the helpers painters share. Painters draw in a Pen's frame
 * where 1 unit is the object's length in px.
 */
import type { Pen } from "./pen.js";
import type { Rng } from "./prng.js";

export interface PaintContext {
  readonly snow: boolean;
  /** Where cast shadows fall: a unit vector in canvas px. */
  readonly sunX: number;
  readonly sunY: number;
}

export interface ObjectKind {
  /** Base class name, as in config/classes.yaml. */
  readonly name: string;
  /** Length range in px at 640 px images; drawn log-uniformly, so small objects are common. */
  readonly size: readonly [number, number];
  /** Radius of the drawn shape in lengths, for keeping objects apart before drawing them. */
  readonly extent: number;
  paint(pen: Pen, rng: Rng, ctx: PaintContext): void;
}

/** Darken the ground where `local` (a flat polygon in the pen's frame) casts its shadow; not part of the box. */
export function castShadow(
  pen: Pen,
  local: readonly number[],
  ctx: PaintContext,
  length: number,
  alpha = 0.4,
): void {
  const dx = ctx.sunX * length * pen.scale;
  const dy = ctx.sunY * length * pen.scale;
  const pts = pen.map(local);
  for (let k = 0; k < pts.length; k += 2) {
    pts[k] = pts[k]! + dx;
    pts[k + 1] = pts[k + 1]! + dy;
  }
  pen.canvas.track = false;
  pen.canvas.polygon(pts, [16, 18, 14], alpha);
  pen.canvas.track = true;
}

/** Flat polygon of a w x h rectangle centred at (x, y). */
export function box(x: number, y: number, w: number, h: number): number[] {
  return [x - w / 2, y - h / 2, x + w / 2, y - h / 2, x + w / 2, y + h / 2, x - w / 2, y + h / 2];
}
