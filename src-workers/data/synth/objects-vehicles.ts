/**
 * Painters of machines and people: each gets a silhouette a detector can tell apart
 * (turret and barrel, cab and cargo, wings, a tiny figure), in colours of its own.
 */
import { mix, tone, type Rgb } from "./canvas.js";
import { box, castShadow, type ObjectKind, type PaintContext } from "./kind.js";
import type { Pen } from "./pen.js";
import type { Rng } from "./prng.js";

const OLIVE: Rgb = [74, 82, 46];
const DARK: Rgb = [30, 32, 26];
const WHITEWASH: Rgb = [206, 208, 204];
const CARS: readonly Rgb[] = [
  [224, 224, 220],
  [30, 30, 34],
  [160, 30, 30],
  [40, 70, 150],
  [150, 152, 158],
  [200, 170, 60],
];

/** Military paint: olive with some variety, sometimes winter whitewash on snow. */
function paint(rng: Rng, ctx: PaintContext, base: Rgb = OLIVE): Rgb {
  const c = tone(base, rng.range(0.85, 1.15));
  return ctx.snow && rng.chance(0.3) ? mix(c, WHITEWASH, 0.7) : c;
}

const armorVehicle: ObjectKind = {
  name: "ArmorVehicle",
  size: [10, 64],
  extent: 0.62,
  paint(pen, rng, ctx) {
    const hull = [-0.5, -0.24, 0.32, -0.24, 0.5, -0.1, 0.5, 0.1, 0.32, 0.24, -0.5, 0.24];
    castShadow(pen, hull, ctx, 0.08);
    const c = paint(rng, ctx);
    pen.poly(hull, c);
    pen.rect(0, -0.2, 0.96, 0.07, DARK);
    pen.rect(0, 0.2, 0.96, 0.07, DARK);
    pen.ellipse(-0.06, 0, 0.15, 0.13, tone(c, 1.18));
    pen.line(0.05, 0, 0.56, 0, 0.035, DARK);
    pen.rect(-0.36, 0.08, 0.1, 0.1, tone(c, 0.75));
  },
};

const tank: ObjectKind = {
  name: "AdditArmoredTank",
  size: [22, 110],
  extent: 0.75,
  paint(pen, rng, ctx) {
    castShadow(pen, box(0, 0, 1, 0.6), ctx, 0.08);
    const c = paint(rng, ctx, [62, 72, 44]);
    pen.rect(0, 0, 1, 0.56, c);
    // Side skirts: banded armour plates along both flanks.
    const bands = pen.local((lx) => (Math.floor((lx + 0.5) * 9) & 1 ? 0.7 : 1.25));
    pen.rect(0, -0.26, 1.02, 0.1, c, 1, bands);
    pen.rect(0, 0.26, 1.02, 0.1, c, 1, bands);
    // Reactive armour blocks on the glacis.
    const grid = pen.local((lx, ly) => ((Math.floor(lx * 30) + Math.floor(ly * 30)) & 1 ? 0.75 : 1.15));
    pen.rect(0.42, 0, 0.12, 0.4, tone(c, 1.1), 1, grid);
    pen.poly([-0.2, -0.2, 0.12, -0.2, 0.2, -0.1, 0.2, 0.1, 0.12, 0.2, -0.2, 0.2, -0.28, 0], tone(c, 1.2));
    pen.line(0.15, 0, 0.95, 0, 0.045, DARK);
    pen.rect(-0.44, 0, 0.1, 0.44, tone(c, 0.7));
  },
};

const truck: ObjectKind = {
  name: "Truck",
  size: [14, 90],
  extent: 0.55,
  paint(pen, rng, ctx) {
    castShadow(pen, box(0, 0, 1, 0.3), ctx, 0.1);
    const cab = paint(rng, ctx);
    const cargo = rng.chance(0.5) ? tone([150, 138, 98], rng.range(0.9, 1.1)) : tone(cab, 1.15);
    const ribs = pen.local((lx) => (Math.floor((lx + 0.5) * 14) & 1 ? 0.86 : 1.05));
    pen.rect(-0.12, 0, 0.76, 0.32, cargo, 1, ribs);
    pen.rect(0.39, 0, 0.2, 0.28, cab);
    pen.rect(0.46, 0, 0.05, 0.24, DARK);
  },
};

const car: ObjectKind = {
  name: "Vehicle",
  size: [8, 40],
  extent: 0.55,
  paint(pen, rng, ctx) {
    const body = [
      -0.5, -0.18, -0.42, -0.24, 0.4, -0.24, 0.5, -0.16, 0.5, 0.16, 0.4, 0.24, -0.42, 0.24, -0.5, 0.18,
    ];
    castShadow(pen, body, ctx, 0.08);
    const c = tone(rng.pick(CARS), rng.range(0.9, 1.08));
    pen.poly(body, c);
    pen.rect(0.17, 0, 0.12, 0.4, [34, 40, 48]);
    pen.rect(-0.3, 0, 0.08, 0.38, [34, 40, 48]);
    pen.rect(-0.06, 0, 0.34, 0.4, tone(c, 1.08));
  },
};

const artillery: ObjectKind = {
  name: "Artillery",
  size: [16, 80],
  extent: 0.7,
  paint(pen, rng, ctx) {
    const c = paint(rng, ctx, [88, 90, 62]);
    castShadow(pen, box(0.05, 0, 1.1, 0.06), ctx, 0.06, 0.3);
    pen.line(-0.2, 0, -0.5, -0.2, 0.045, tone(c, 0.8));
    pen.line(-0.2, 0, -0.5, 0.2, 0.045, tone(c, 0.8));
    pen.rect(-0.16, -0.17, 0.12, 0.08, DARK);
    pen.rect(-0.16, 0.17, 0.12, 0.08, DARK);
    pen.rect(-0.14, 0, 0.26, 0.3, c);
    pen.rect(-0.02, 0, 0.06, 0.38, tone(c, 1.2));
    pen.line(-0.2, 0, 0.62, 0, 0.035, DARK);
  },
};

const plane: ObjectKind = {
  name: "Plane",
  size: [24, 160],
  extent: 0.62,
  paint(pen, rng, ctx) {
    const c = tone(
      rng.pick<Rgb>([
        [170, 174, 178],
        [120, 128, 120],
        [200, 202, 206],
      ]),
      rng.range(0.9, 1.08),
    );
    const wings = [
      0.14, -0.05, -0.04, -0.5, -0.14, -0.5, -0.08, -0.05, -0.08, 0.05, -0.14, 0.5, -0.04, 0.5, 0.14, 0.05,
    ];
    castShadow(pen, wings, ctx, 0.12, 0.3);
    pen.poly(wings, tone(c, 0.92));
    pen.poly([-0.36, 0, -0.42, -0.16, -0.48, -0.16, -0.48, 0.16, -0.42, 0.16], tone(c, 0.92));
    pen.ellipse(0, 0, 0.5, 0.055, c);
    pen.ellipse(0.38, 0, 0.06, 0.03, [40, 50, 64]);
  },
};

const moto: ObjectKind = {
  name: "Moto",
  size: [6, 22],
  extent: 0.55,
  paint(pen, rng, ctx) {
    castShadow(pen, box(0, 0, 1, 0.2), ctx, 0.1);
    pen.rect(0, 0, 1, 0.16, tone([40, 40, 44], rng.range(0.8, 1.4)));
    pen.rect(0.44, 0, 0.06, 0.34, DARK);
    pen.ellipse(-0.05, 0, 0.16, 0.17, paint(rng, ctx, [96, 92, 64]));
  },
};

const man: ObjectKind = {
  name: "MilitaryMan",
  size: [4, 16],
  extent: 0.6,
  paint(pen: Pen, rng, ctx) {
    // Seen from above: shoulders across the length, a head, a rifle.
    castShadow(pen, box(0, 0, 0.4, 0.9), ctx, 0.25, 0.35);
    const c = paint(
      rng,
      ctx,
      rng.pick<Rgb>([
        [80, 86, 54],
        [104, 94, 66],
        [64, 70, 50],
      ]),
    );
    pen.ellipse(0, 0, 0.22, 0.48, c);
    pen.ellipse(0.06, 0, 0.18, 0.18, tone(c, 0.7));
    pen.line(0.05, 0.3, 0.5, 0.3, 0.08, DARK);
  },
};

export const VEHICLE_KINDS: readonly ObjectKind[] = [
  armorVehicle,
  tank,
  truck,
  car,
  artillery,
  plane,
  moto,
  man,
];
