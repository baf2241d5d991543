/**
 * A deterministic BatchSource for the engine tests: gray images with 1-2 filled rectangles whose colour
 * gives the class (red, green, blue), letterboxed as if from 2x larger originals. Test code only.
 */
import * as torch from "../../torch/index.js";
import type { Batch, BatchSource } from "../data/types.js";
import { mulberry32 } from "../../core/random.js";

interface Item {
  readonly pixels: Float32Array;
  readonly boxes: number[][]; // cls, cx, cy, w, h normalised
}

function makeItem(rand: () => number, size: number, nc: number): Item {
  const pixels = new Float32Array(3 * size * size).fill(0.45);
  const boxes: number[][] = [];
  const n = 1 + Math.floor(rand() * 2);
  for (let k = 0; k < n; k++) {
    const cls = Math.floor(rand() * nc);
    const w = Math.round(size * (0.25 + rand() * 0.3));
    const h = Math.round(size * (0.25 + rand() * 0.3));
    const x0 = Math.floor(rand() * (size - w));
    const y0 = Math.floor(rand() * (size - h));
    for (let c = 0; c < 3; c++) {
      const v = c === cls % 3 ? 0.95 : 0.1;
      for (let y = y0; y < y0 + h; y++)
        pixels.fill(v, c * size * size + y * size + x0, c * size * size + y * size + x0 + w);
    }
    boxes.push([cls, (x0 + w / 2) / size, (y0 + h / 2) / size, w / size, h / size]);
  }
  return { pixels, boxes };
}

export interface SyntheticOptions {
  readonly images: number;
  readonly batch: number;
  readonly imgsz?: number;
  readonly nc?: number;
  readonly seed?: number;
  /** Shuffle per epoch (training); validation keeps the order. */
  readonly shuffle?: boolean;
}

export function syntheticSource(o: SyntheticOptions): BatchSource & { opened: number } {
  const size = o.imgsz ?? 64;
  const nc = o.nc ?? 3;
  const seed = o.seed ?? 0;
  const rand = mulberry32(seed);
  const items = Array.from({ length: o.images }, () => makeItem(rand, size, nc));
  const src = {
    size: o.images,
    batchesPerEpoch: Math.ceil(o.images / o.batch),
    opened: 0,
    async *epoch(epoch: number): AsyncIterable<Batch> {
      src.opened++;
      const order = items.map((_, i) => i);
      if (o.shuffle) {
        const r = mulberry32(seed * 1000 + epoch + 1);
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(r() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
      }
      for (let s = 0; s < order.length; s += o.batch) {
        const idx = order.slice(s, s + o.batch);
        const data = new Float32Array(idx.length * 3 * size * size);
        const rows: number[] = [];
        idx.forEach((it, b) => {
          data.set(items[it]!.pixels, b * 3 * size * size);
          for (const box of items[it]!.boxes) rows.push(b, ...box);
        });
        await Promise.resolve();
        yield {
          images: torch.keep(torch.tensor(data, [idx.length, 3, size, size])),
          targets: torch.keep(torch.tensor(Float32Array.from(rows), [rows.length / 6, 6])),
          files: idx.map((i) => `img${i}.png`),
          shapes: idx.map(() => ({ orig: [size * 2, size * 2] as const, ratio: 0.5, pad: [0, 0] as const })),
        };
      }
    },
    async close() {},
  };
  return src;
}
