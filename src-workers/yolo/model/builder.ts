/**
 * Ultralytics' parse_model for the detection layer tables in spec.ts: channel widths scaled by width and
 * capped by max_channels (rounded up to multiples of 8), repeats scaled by depth, C3k2 switched to C3k
 * blocks for the m/l/x scales, and each layer's inputs (from) and output stride recorded.
 */
import type { Tensor } from "../../torch/index.js";
import { C2PSA } from "../nn/c2psa.js";
import { C3k2 } from "../nn/c3k2.js";
import { Conv } from "../nn/conv.js";
import { Detect } from "../nn/detect.js";
import { Concat, Upsample } from "../nn/misc.js";
import type { Module } from "../nn/module.js";
import { SPPF } from "../nn/sppf.js";
import type { LayerRow, ModelSpec, Scale, SpecArg } from "./spec.js";
import { pyRound } from "../../core/py-round.js";

export function makeDivisible(x: number, divisor = 8): number {
  return Math.ceil(x / divisor) * divisor;
}

export interface BuiltLayer {
  readonly index: number;
  /** Absolute indices of the input layers (-1 resolved); layer 0 reads the image (-1). */
  readonly from: readonly number[];
  /** Whether `from` was a list in the table (the module takes a list of tensors). */
  readonly multi: boolean;
  readonly type: string;
  readonly module: Module;
  readonly outChannels: number;
  /** Output stride relative to the input image. */
  readonly stride: number;
  readonly run: (inputs: readonly Tensor[]) => Tensor | Tensor[];
}

export interface BuiltModel {
  readonly layers: BuiltLayer[];
  /** Layers whose outputs a later layer reads (other than the next one). */
  readonly save: ReadonlySet<number>;
  readonly detect: Detect;
}

const num = (a: SpecArg | undefined, dflt: number): number => (typeof a === "number" ? a : dflt);
const bool = (a: SpecArg | undefined, dflt: boolean): boolean => (typeof a === "boolean" ? a : dflt);

export function buildModel(spec: ModelSpec, scale: Scale, nc: number, inChannels = 3): BuiltModel {
  const [depth, width, maxChannels] = spec.scales[scale];
  const rows: readonly LayerRow[] = [...spec.backbone, ...spec.head];
  let ch: number[] = [inChannels];
  let strides: number[] = [1];
  const layers: BuiltLayer[] = [];
  const save = new Set<number>();
  let detect: Detect | null = null;
  let legacy = true;
  for (const [i, [f, n0, name, args]] of rows.entries()) {
    const fs = typeof f === "number" ? [f] : [...f];
    const from = fs.map((j) => (j === -1 ? i - 1 : j));
    for (const j of from) if (j !== i - 1 && j >= 0) save.add(j);
    const at = (j: number) => (j < 0 ? j + ch.length : j);
    const c1 = ch[at(fs[0]!)]!;
    const s1 = strides[at(fs[0]!)]!;
    const n = n0 > 1 ? Math.max(pyRound(n0 * depth), 1) : n0;
    const width8 = (c: number) => makeDivisible(Math.min(c, maxChannels) * width, 8);
    let module: Module;
    let c2 = c1;
    let stride = s1;
    let run: BuiltLayer["run"];
    switch (name) {
      case "Conv": {
        c2 = width8(num(args[0], c1));
        const s = num(args[2], 1);
        const m = new Conv(c1, c2, { k: num(args[1], 1), s });
        stride = s1 * s;
        module = m;
        run = (xs) => m.forward(xs[0]!);
        break;
      }
      case "C3k2": {
        c2 = width8(num(args[0], c1));
        legacy = false;
        // Ultralytics forces c3k=True for every C3k2 of the m/l/x scales.
        const c3k = "mlx".includes(scale) ? true : bool(args[1], false);
        const m = new C3k2(c1, c2, n, c3k, num(args[2], 0.5));
        module = m;
        run = (xs) => m.forward(xs[0]!);
        break;
      }
      case "SPPF": {
        c2 = width8(num(args[0], c1));
        const m = new SPPF(c1, c2, num(args[1], 5));
        module = m;
        run = (xs) => m.forward(xs[0]!);
        break;
      }
      case "C2PSA": {
        c2 = width8(num(args[0], c1));
        const m = new C2PSA(c1, c2, n);
        module = m;
        run = (xs) => m.forward(xs[0]!);
        break;
      }
      case "nn.Upsample": {
        const k = num(args[1], 2);
        const m = new Upsample(k);
        stride = s1 / k;
        module = m;
        run = (xs) => m.forward(xs[0]!);
        break;
      }
      case "Concat": {
        c2 = fs.reduce((s, j) => s + ch[at(j)]!, 0);
        const m = new Concat(num(args[0], 1));
        module = m;
        run = (xs) => m.forward(xs);
        break;
      }
      case "Detect": {
        const m = new Detect(
          nc,
          fs.map((j) => ch[at(j)]!),
          legacy,
        );
        m.stride = fs.map((j) => strides[at(j)]!);
        detect = m;
        module = m;
        run = (xs) => m.forward(xs);
        break;
      }
    }
    if (i === 0) {
      ch = [];
      strides = [];
    }
    ch.push(c2);
    strides.push(stride);
    layers.push({
      index: i,
      from,
      multi: typeof f !== "number",
      type: name,
      module,
      outChannels: c2,
      stride,
      run,
    });
  }
  if (!detect) throw new Error("model spec has no Detect layer");
  return { layers, save, detect };
}
