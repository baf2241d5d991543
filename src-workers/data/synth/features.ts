/**
 * Unlabelled scenery on the ground: striped field patches, roads and tree clumps. They give a
 * detector the clutter that real drone frames have, so it learns objects rather than "not grass".
 */
import { tone, type Canvas, type Rgb } from "./canvas.js";
import { Pen } from "./pen.js";
import type { Rng } from "./prng.js";
import type { GroundPalette } from "./weather.js";

/** A disc objects keep away from (tree crowns would hide them). */
export interface Keepout {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}

const FIELDS: readonly Rgb[] = [
  [104, 84, 60], // ploughed
  [84, 120, 48], // young crop
  [176, 160, 92], // wheat
  [130, 140, 70], // stubble
];
const SNOW_FIELD: Rgb = [236, 238, 244];
const ROADS: readonly Rgb[] = [
  [146, 128, 100], // dirt
  [96, 96, 98], // asphalt
  [170, 160, 136], // gravel
];
const TREE: Rgb = [38, 62, 30];
const SNOW_TREE: Rgb = [58, 70, 62];

/** Draw all scenery; returns the areas objects should not be placed on. */
export function paintFeatures(canvas: Canvas, palette: GroundPalette, rng: Rng): Keepout[] {
  const s = canvas.width / 640;
  const fields = rng.int(0, 3);
  for (let k = 0; k < fields; k++) field(canvas, palette, rng, s);
  const roads = rng.pick([0, 0, 1, 1, 1, 2]);
  for (let k = 0; k < roads; k++) road(canvas, palette, rng, s);
  const keepout: Keepout[] = [];
  const clumps = rng.int(0, 5);
  for (let k = 0; k < clumps; k++) keepout.push(treeClump(canvas, palette, rng, s));
  return keepout;
}

function field(canvas: Canvas, palette: GroundPalette, rng: Rng, s: number): void {
  const pen = new Pen(
    canvas,
    rng.range(0, canvas.width),
    rng.range(0, canvas.height),
    rng.range(0, Math.PI),
    s,
  );
  const w = rng.range(120, 360);
  const h = rng.range(90, 300);
  const colour = palette.snow ? tone(SNOW_FIELD, rng.range(0.94, 1.02)) : rng.pick(FIELDS);
  const period = rng.range(3, 9);
  const depth = palette.snow ? 0.04 : rng.range(0.06, 0.16);
  // Furrows: alternate bands along the field's own axis.
  const stripes = pen.local((lx) => (Math.floor(lx / period) & 1 ? 1 - depth : 1 + depth * 0.5));
  const j = () => rng.range(-0.06, 0.06);
  const hw = w / 2;
  const hh = h / 2;
  pen.poly(
    [-hw, -hh, hw * (1 + j()), -hh * (1 + j()), hw, hh, -hw * (1 + j()), hh * (1 + j())],
    colour,
    rng.range(0.6, 0.85),
    stripes,
  );
}

function road(canvas: Canvas, palette: GroundPalette, rng: Rng, s: number): void {
  const W = canvas.width;
  const H = canvas.height;
  // Edge to edge, through a few jittered points, so it reads as a road, not a stroke.
  const vertical = rng.chance(0.5);
  const a = rng.range(0.1, 0.9);
  const b = rng.range(0.1, 0.9);
  const pts: number[] = [];
  const n = 6;
  let bend = 0;
  for (let k = 0; k <= n; k++) {
    const t = k / n;
    bend += rng.gauss(0.03);
    const u = a + (b - a) * t + bend;
    if (vertical) pts.push(u * W, -20 + t * (H + 40));
    else pts.push(-20 + t * (W + 40), u * H);
  }
  const width = rng.range(7, 20) * s;
  const colour = palette.snow ? ([150, 146, 140] as Rgb) : rng.pick(ROADS);
  canvas.polyline(pts, width * 1.5, tone(colour, 0.8), 0.35);
  canvas.polyline(pts, width, colour, 0.92);
  if (palette.snow || rng.chance(0.5)) {
    // Wheel ruts worn along the road.
    const off = width * 0.22;
    canvas.polyline(shift(pts, off), Math.max(1, width * 0.1), tone(colour, 0.75), 0.5, false);
    canvas.polyline(shift(pts, -off), Math.max(1, width * 0.1), tone(colour, 0.75), 0.5, false);
  }
}

/** A polyline moved sideways by `d` px (near enough for gentle curves). */
export function shift(pts: readonly number[], d: number): number[] {
  const out: number[] = [];
  for (let k = 0; k + 1 < pts.length; k += 2) {
    const p = Math.max(0, k - 2);
    const q = Math.min(pts.length - 2, k + 2);
    const dx = pts[q]! - pts[p]!;
    const dy = pts[q + 1]! - pts[p + 1]!;
    const len = Math.hypot(dx, dy) || 1;
    out.push(pts[k]! - (dy / len) * d, pts[k + 1]! + (dx / len) * d);
  }
  return out;
}

function treeClump(canvas: Canvas, palette: GroundPalette, rng: Rng, s: number): Keepout {
  const cx = rng.range(0, canvas.width);
  const cy = rng.range(0, canvas.height);
  const spread = rng.range(12, 60) * s;
  const crowns = rng.int(3, 18);
  const base = palette.snow ? SNOW_TREE : tone(TREE, rng.range(0.85, 1.2));
  const sun = rng.range(0, Math.PI * 2);
  const sx = Math.cos(sun);
  const sy = Math.sin(sun);
  const list: [number, number, number][] = [];
  for (let k = 0; k < crowns; k++) {
    const r = rng.range(4, 11) * s;
    list.push([cx + rng.gauss(spread * 0.5), cy + rng.gauss(spread * 0.5), r]);
  }
  // All shadows first, so no crown is darkened by a neighbour's shadow.
  for (const [x, y, r] of list)
    canvas.ellipse(x + sx * r * 0.6, y + sy * r * 0.6, r, r, 0, [20, 24, 16], 0.35);
  for (const [x, y, r] of list) {
    canvas.ellipse(x, y, r, r * rng.range(0.85, 1), rng.range(0, Math.PI), tone(base, rng.range(0.85, 1.1)));
    canvas.ellipse(x - sx * r * 0.3, y - sy * r * 0.3, r * 0.5, r * 0.5, 0, tone(base, 1.3), 0.6);
    if (palette.snow)
      canvas.ellipse(x - sx * r * 0.2, y - sy * r * 0.2, r * 0.35, r * 0.3, 0, [230, 232, 236], 0.7);
  }
  return { x: cx, y: cy, r: spread + 11 * s };
}
