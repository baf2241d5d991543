/**
 * One synthetic aerial frame: ground, scenery, objects of all base classes in the frame's weather
 * mode, then the weather pass. Image i depends on (seed, i) alone, through separate random
 * streams for scene, objects and grain, so any subset of a dataset can be regenerated.
 */
import { classCatalog } from "../../core/classes.js";
import type { YoloBox } from "../../core/labels.js";
import { Canvas, type PixelBounds } from "./canvas.js";
import { paintFeatures, type Keepout } from "./features.js";
import { paintGround } from "./ground.js";
import type { PaintContext } from "./kind.js";
import { objectKind } from "./objects.js";
import { Pen } from "./pen.js";
import { Rng } from "./prng.js";
import { finishWeather, groundPalette, MODE_NAMES, type ModeName } from "./weather.js";

const SCENE = 0;
const OBJECTS = 1;
const GRAIN = 2;

/** Share of frames left without objects, so a detector also sees pure background. */
export const EMPTY_SHARE = 0.03;

export interface SynthImage {
  /** Packed RGB, row by row, width * height * 3 bytes. */
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** YOLO boxes, class id = base + the mode's offset. */
  readonly boxes: YoloBox[];
  /** The same boxes in pixels (x1, y1 exclusive). */
  readonly pixelBoxes: PixelBounds[];
  readonly mode: ModeName;
}

export interface SynthOptions {
  /** false: the same frame without its objects (for tests that compare against the background). */
  readonly objects?: boolean;
}

export function checkSynthArgs(seed: number, index: number, size: number): void {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`synth seed ${seed} must be a whole number`);
  if (!Number.isSafeInteger(index) || index < 0)
    throw new RangeError(`synth index ${index} must be a whole number >= 0`);
  if (!Number.isInteger(size) || size < 32 || size > 8192)
    throw new RangeError(`synth size ${size} must be a whole number of px, 32-8192`);
}

export function generateSynthImage(
  seed: number,
  index: number,
  size: number,
  options: SynthOptions = {},
): SynthImage {
  checkSynthArgs(seed, index, size);
  const scene = Rng.of(seed, index, SCENE);
  const mode = MODE_NAMES[scene.int(0, MODE_NAMES.length - 1)]!;
  const empty = scene.chance(EMPTY_SHARE);
  const palette = groundPalette(mode, scene);
  const canvas = new Canvas(size, size);
  paintGround(canvas, palette, scene);
  const keepout = paintFeatures(canvas, palette, scene);
  const pixelBoxes: PixelBounds[] = [];
  const classIds: number[] = [];
  if (!empty && options.objects !== false) {
    placeObjects(canvas, Rng.of(seed, index, OBJECTS), mode, palette.snow, keepout, pixelBoxes, classIds);
  }
  finishWeather(canvas, mode, Rng.of(seed, index, GRAIN));
  const boxes = pixelBoxes.map((b, k) => ({
    classId: classIds[k]!,
    cx: (b.x0 + b.x1) / 2 / size,
    cy: (b.y0 + b.y1) / 2 / size,
    w: (b.x1 - b.x0) / size,
    h: (b.y1 - b.y0) / size,
  }));
  return { rgb: canvas.data, width: size, height: size, boxes, pixelBoxes, mode };
}

function placeObjects(
  canvas: Canvas,
  rng: Rng,
  mode: ModeName,
  snow: boolean,
  keepout: readonly Keepout[],
  pixelBoxes: PixelBounds[],
  classIds: number[],
): void {
  const catalog = classCatalog();
  const modeIndex = catalog.findMode(mode)?.index;
  if (modeIndex === undefined) throw new Error(`the class table has no weather mode "${mode}"`);
  const W = canvas.width;
  const s = W / 640;
  const sun = rng.range(0, Math.PI * 2);
  const ctx: PaintContext = { snow, sunX: Math.cos(sun), sunY: Math.sin(sun) };
  const placed: Keepout[] = [];
  const count = rng.int(2, 14);
  for (let k = 0; k < count; k++) {
    const base = rng.pick(catalog.baseClasses);
    const kind = objectKind(base.name);
    const length = rng.logRange(kind.size[0], kind.size[1]) * s;
    const r = length * kind.extent;
    const spot = findSpot(rng, W, r, placed, keepout);
    if (!spot) continue;
    canvas.resetBounds();
    kind.paint(new Pen(canvas, spot.x, spot.y, rng.range(0, Math.PI * 2), length), rng, ctx);
    const b = canvas.bounds();
    if (!b) continue;
    pixelBoxes.push(b);
    classIds.push(catalog.idOf(base.index, modeIndex));
    placed.push({ x: spot.x, y: spot.y, r });
  }
}

/** A centre whose disc of radius r stays off other objects and tree clumps; mostly inside the frame. */
function findSpot(
  rng: Rng,
  W: number,
  r: number,
  placed: readonly Keepout[],
  keepout: readonly Keepout[],
): { x: number; y: number } | undefined {
  // Up to 40% of the radius may poke out at the edge, as objects cut by the frame do in real footage.
  const margin = Math.min(r * 0.6, W / 2);
  for (let attempt = 0; attempt < 12; attempt++) {
    const x = rng.range(margin, W - margin);
    const y = rng.range(margin, W - margin);
    const clear = (o: Keepout, f: number) => Math.hypot(o.x - x, o.y - y) >= (o.r + r) * f;
    if (placed.every((o) => clear(o, 0.9)) && keepout.every((o) => clear(o, 0.75))) return { x, y };
  }
  return undefined;
}
