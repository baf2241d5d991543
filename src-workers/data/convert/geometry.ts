/**
 * Box checks shared by every conversion: reversed and zero-size boxes are errors, a box wholly
 * outside the image is an error, a box that pokes out is clipped to the image with a warning.
 */
import type { PixelBox } from "./types.js";

/** Overhang below this fraction of the image side is float noise: clamped without a word. */
const SLACK = 1e-6;

export type BoxCheck = { box: PixelBox; warning?: string } | { error: string };

export function checkBox(
  classId: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  width: number,
  height: number,
): BoxCheck {
  const px = (v: number) => String(Number(v.toFixed(3)));
  const corners = `[${px(x1)}, ${px(y1)}, ${px(x2)}, ${px(y2)}]`;
  if (x2 < x1 || y2 < y1) return { error: `reversed box ${corners} (x2 < x1 or y2 < y1)` };
  if (x2 === x1 || y2 === y1) return { error: `degenerate box ${corners}: zero width or height` };
  if (x2 <= 0 || y2 <= 0 || x1 >= width || y1 >= height) {
    return { error: `box ${corners} lies entirely outside the ${width}x${height} image` };
  }
  const cx1 = Math.max(0, x1);
  const cy1 = Math.max(0, y1);
  const cx2 = Math.min(width, x2);
  const cy2 = Math.min(height, y2);
  const overhang = Math.max((cx1 - x1) / width, (cy1 - y1) / height, (x2 - cx2) / width, (y2 - cy2) / height);
  const box = { classId, x1: cx1, y1: cy1, x2: cx2, y2: cy2 };
  if (overhang > SLACK)
    return { box, warning: `box ${corners} extends outside the ${width}x${height} image; clipped` };
  return { box };
}

/** The axis-aligned bounds of a polygon's (or a rectangle's corner) points, in pixels. */
export function boundsOf(points: readonly (readonly [number, number])[]): {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
} {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return { x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) };
}
