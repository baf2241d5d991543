/**
 * Painters of things on and in the ground: shadows, trenches, tyre tracks, smoke, camouflage,
 * roofs, buildings and caponiers. Shapes are jittered so no two look alike.
 */
import { mix, tone, type Rgb } from "./canvas.js";
import { shift } from "./features.js";
import { box, castShadow, type ObjectKind } from "./kind.js";
import type { Rng } from "./prng.js";

const EARTH: Rgb = [112, 90, 62];
const SNOWY: Rgb = [224, 226, 232];

/** A closed blob outline: `n` points around an ellipse, radii jittered by up to `jitter`. */
function blobShape(rng: Rng, rx: number, ry: number, n: number, jitter: number, x = 0, y = 0): number[] {
  const pts: number[] = [];
  for (let k = 0; k < n; k++) {
    const t = (k / n) * Math.PI * 2;
    const f = 1 + rng.range(-jitter, jitter);
    pts.push(x + Math.cos(t) * rx * f, y + Math.sin(t) * ry * f);
  }
  return pts;
}

const shadow: ObjectKind = {
  name: "Shadow",
  size: [10, 80],
  extent: 0.55,
  paint(pen, rng) {
    // A shadow with nothing visible casting it (mast, overhang, hidden vehicle).
    const w = rng.range(0.2, 0.5);
    const shape = rng.chance(0.5) ? box(0, 0, 1, w) : blobShape(rng, 0.5, w / 2, 10, 0.15);
    pen.poly(shape, [12, 14, 12], rng.range(0.45, 0.6));
  },
};

const trenches: ObjectKind = {
  name: "Trenches",
  size: [40, 200],
  extent: 0.56,
  paint(pen, rng, ctx) {
    const pts: number[] = [];
    const n = rng.int(4, 8);
    const amp = rng.range(0.06, 0.14);
    for (let k = 0; k <= n; k++) pts.push(-0.5 + k / n, (k & 1 ? amp : -amp) + rng.range(-0.03, 0.03));
    const w = Math.max(0.025, 3 / (pen.scale + 1));
    // Spoil thrown up on one side, lighter than the cut.
    pen.polyline(shift(pts, w * 1.4), w * 1.3, ctx.snow ? tone(SNOWY, 0.9) : tone(EARTH, 1.3), 0.85);
    pen.polyline(pts, w, [40, 32, 24]);
  },
};

const tyreTracks: ObjectKind = {
  name: "TyreTracks",
  size: [40, 220],
  extent: 0.56,
  paint(pen, rng, ctx) {
    const bend = rng.range(-0.35, 0.35);
    const wiggle = rng.range(0, 0.04);
    const pts: number[] = [];
    for (let k = 0; k <= 10; k++) {
      const x = -0.5 + k / 10;
      pts.push(x, bend * (x * x - 0.25) + wiggle * Math.sin(k * 1.7));
    }
    // Gauge and rut width in px, whatever the track's length.
    const gauge = rng.range(3, 7) / pen.scale;
    const colour: Rgb = ctx.snow ? [120, 118, 116] : [58, 48, 36];
    pen.polyline(shift(pts, gauge / 2), gauge * 0.35, colour, 0.55, false);
    pen.polyline(shift(pts, -gauge / 2), gauge * 0.35, colour, 0.55, false);
  },
};

const smoke: ObjectKind = {
  name: "Smoke",
  size: [20, 150],
  extent: 0.6,
  paint(pen, rng, ctx) {
    // White smoke vanishes against snow: in winter it is grey to dark.
    const light = !ctx.snow && rng.chance(0.6);
    const c = light
      ? tone([196, 196, 194], rng.range(0.9, 1.05))
      : tone([84, 82, 80], rng.range(0.8, ctx.snow ? 1.6 : 1.2));
    const puffs = rng.int(4, 8);
    // A plume: thick at the source, thinning and drifting along the wind (the local x axis).
    for (let k = 0; k < puffs; k++) {
      const t = k / (puffs - 1);
      pen.blob(-0.3 + t * 0.65, rng.range(-0.05, 0.05), 0.28 - t * 0.1, c, 0.85 - t * 0.3);
    }
  },
};

const net: ObjectKind = {
  name: "CamouflageNet",
  size: [20, 120],
  extent: 0.55,
  paint(pen, rng, ctx) {
    const base = ctx.snow
      ? tone([200, 204, 198], rng.range(0.92, 1))
      : tone([78, 92, 52], rng.range(0.85, 1.1));
    const p = rng.range(0.07, 0.12);
    const cell = Math.max(0.05, 2.5 / pen.scale);
    // Patches of the pattern, with the net's diamond mesh over them.
    const mesh = pen.local((lx, ly) => {
      const patch = (Math.floor((lx + ly) / p) + Math.floor((lx - ly) / (p * 1.7))) & 1 ? 0.78 : 1.08;
      const u = (lx + ly) / cell;
      const v = (lx - ly) / cell;
      const onLine = u - Math.floor(u) < 0.22 || v - Math.floor(v) < 0.22;
      return onLine ? patch * 0.7 : patch;
    });
    castShadow(pen, box(0, 0, 1, 0.7), ctx, 0.04, 0.3);
    pen.poly(blobShape(rng, 0.5, rng.range(0.3, 0.42), 14, 0.08), base, 1, mesh);
  },
};

const branches: ObjectKind = {
  name: "CamouflageBranches",
  size: [16, 80],
  extent: 0.55,
  paint(pen, rng, ctx) {
    const dark: Rgb = [38, 56, 28];
    const n = rng.int(7, 14);
    for (let k = 0; k < n; k++) {
      const c = mix(dark, [72, 80, 40], rng.next());
      pen.poly(
        blobShape(
          rng,
          rng.range(0.08, 0.18),
          rng.range(0.05, 0.12),
          6,
          0.45,
          rng.range(-0.36, 0.36),
          rng.range(-0.26, 0.26),
        ),
        c,
      );
    }
    const twigs = rng.int(3, 6);
    for (let k = 0; k < twigs; k++) {
      const x = rng.range(-0.4, 0.4);
      const y = rng.range(-0.3, 0.3);
      const a = rng.range(0, Math.PI);
      pen.line(
        x,
        y,
        x + Math.cos(a) * 0.25,
        y + Math.sin(a) * 0.25,
        0.02,
        ctx.snow ? [90, 80, 70] : [84, 62, 40],
      );
    }
  },
};

const ROOFS: readonly Rgb[] = [
  [150, 72, 52],
  [128, 134, 140],
  [70, 72, 82],
  [72, 110, 82],
];

const roof: ObjectKind = {
  name: "Roof",
  size: [14, 100],
  extent: 0.6,
  paint(pen, rng, ctx) {
    const w = rng.range(0.5, 0.75);
    castShadow(pen, box(0, 0, 1, w), ctx, 0.1, 0.35);
    const c = ctx.snow && rng.chance(0.5) ? SNOWY : tone(rng.pick(ROOFS), rng.range(0.9, 1.1));
    pen.rect(0, -w / 4, 1, w / 2, c);
    pen.rect(0, w / 4, 1, w / 2, tone(c, 0.72));
    pen.line(-0.5, 0, 0.5, 0, 0.03, tone(c, 1.25));
  },
};

const building: ObjectKind = {
  name: "Building",
  size: [34, 200],
  extent: 0.66,
  paint(pen, rng, ctx) {
    const w = rng.range(0.45, 0.8);
    const c = ctx.snow
      ? tone(SNOWY, rng.range(0.95, 1.02))
      : tone(
          rng.pick<Rgb>([
            [168, 164, 154],
            [186, 172, 146],
            [140, 140, 138],
          ]),
          rng.range(0.9, 1.1),
        );
    // The wall in shade shows beside the roof, as an oblique view gives it.
    const d = rng.range(0.06, 0.12);
    pen.poly(
      [0.5, -w / 2, 0.5 + d, -w / 2 + d, 0.5 + d, w / 2 + d, -0.5 + d, w / 2 + d, -0.5, w / 2, 0.5, w / 2],
      tone(c, 0.5),
    );
    pen.rect(0, 0, 1, w, c);
    pen.rect(0, 0, 0.92, w - 0.08, tone(c, 0.9));
    const units = rng.int(1, 4);
    for (let k = 0; k < units; k++)
      pen.rect(rng.range(-0.35, 0.35), rng.range(-w / 3, w / 3), 0.08, 0.06, tone(c, 0.65));
  },
};

const caponier: ObjectKind = {
  name: "Caponier",
  size: [20, 120],
  extent: 0.6,
  paint(pen, rng, ctx) {
    // An earth berm in a U, open at the front, where a vehicle drives in.
    const earth = ctx.snow ? tone(SNOWY, 0.88) : tone(EARTH, rng.range(0.9, 1.15));
    const h = rng.range(0.3, 0.42);
    const u = [0.45, -h, -0.42, -h, -0.42, h, 0.45, h];
    pen.polyline(u, 0.17, tone(earth, 0.7));
    pen.polyline(u, 0.12, earth);
    pen.polyline(shift(u, 0.035), 0.04, tone(earth, 1.25));
    pen.rect(0.02, 0, 0.8, 2 * h - 0.2, tone(earth, 0.62), 0.55);
  },
};

export const TERRAIN_KINDS: readonly ObjectKind[] = [
  shadow,
  trenches,
  tyreTracks,
  smoke,
  net,
  branches,
  roof,
  building,
  caponier,
];
