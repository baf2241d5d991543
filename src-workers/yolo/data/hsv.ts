/**
 * RandomHSV: gains r = 1 + uniform(-1, 1) * (hgain, sgain, vgain), as Ultralytics draws them.
 * Applied with the augment module's RGB matrix instead of an HSV round trip (several times faster):
 * value and saturation gains multiply as in HSV; Ultralytics' hue multiply (hue * r0 mod 180) is
 * taken as a rotation by the shift it gives a mid hue (90 OpenCV steps), at most ~3 degrees.
 */
import { hsvInPlace } from "../../augment/transforms/colour.js";
import type { Rng } from "../../data/synth/prng.js";

export interface HsvGains {
  readonly h: number;
  readonly s: number;
  readonly v: number;
}

/** Jitter `data` (interleaved RGB) in place. */
export function randomHsv(data: Uint8Array, rng: Rng, g: HsvGains): void {
  if (g.h === 0 && g.s === 0 && g.v === 0) return;
  const r0 = 1 + rng.range(-1, 1) * g.h;
  const r1 = 1 + rng.range(-1, 1) * g.s;
  const r2 = 1 + rng.range(-1, 1) * g.v;
  // hsvMatrix's units: hue in OpenCV steps (2 degrees), saturation/value as x/128 gain offsets.
  hsvInPlace(data, { hue: (r0 - 1) * 90, sat: (r1 - 1) * 128, val: (r2 - 1) * 128 });
}
