/**
 * One batch from item indices, without torch (so worker threads can run it): load, augment per
 * Ultralytics' v8_transforms (mosaic -> affine, or letterbox -> affine; HSV; flips) or letterbox
 * for validation, then lay out as CHW floats and target rows. Randomness comes from
 * Rng(seed, index, epoch) only, so a batch is the same on any thread.
 */
import type { YoloBox } from "../../core/labels.js";
import { Rng } from "../../data/synth/prng.js";
import { decodeRgb } from "../../core/image-decode.js";
import { resizeLinear } from "../predict/resize.js";
import { randomAffine } from "./affine.js";
import type { DatasetItem } from "./dataset.js";
import { hflip, vflip } from "./flip.js";
import { randomHsv } from "./hsv.js";
import { letterboxBoxes, letterboxRgb, squareGeometry } from "./letterbox.js";
import { mosaic4 } from "./mosaic.js";
import type { AugmentConfig, PxBox, RawImage, Sample } from "./sample.js";

export interface PipelineConfig {
  readonly imgsz: number;
  /** false: validation (square letterbox, no augmentation). */
  readonly augment: boolean;
  readonly hyp: AugmentConfig;
  readonly seed: number;
  /** Keep decoded (and, for training, resized) images in memory. */
  readonly cache: boolean;
}

export interface BatchJob {
  readonly epoch: number;
  readonly indices: readonly number[];
  readonly mosaic: boolean;
}

/** A batch as plain arrays: images (B, 3, S, S) in 0..1, targets (N, 6). */
export interface BatchData {
  readonly images: Float32Array;
  readonly targets: Float32Array;
  readonly count: number;
  readonly files: string[];
  readonly shapes: { orig: [number, number]; ratio: number; pad: [number, number] }[];
}

const IN_FLIGHT = 4;
const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

export class Pipeline {
  private readonly cache = new Map<number, RawImage>();

  constructor(
    readonly items: readonly DatasetItem[],
    readonly cfg: PipelineConfig,
  ) {}

  async batch(job: BatchJob): Promise<BatchData> {
    const S = this.cfg.imgsz;
    const plane = S * S;
    const images = new Float32Array(job.indices.length * 3 * plane);
    const rows: number[] = [];
    const files: string[] = [];
    const shapes: BatchData["shapes"] = [];
    const prepared: Prepared[] = [];
    // A few samples at once, so sharp decodes (off this thread) overlap the JavaScript transforms.
    for (let k = 0; k < job.indices.length; k += IN_FLIGHT)
      prepared.push(
        ...(await Promise.all(
          job.indices
            .slice(k, k + IN_FLIGHT)
            .map((index) =>
              this.cfg.augment ? this.trainSample(index, job.epoch, job.mosaic) : this.valSample(index),
            ),
        )),
      );
    for (const [i, index] of job.indices.entries()) {
      const item = this.items[index]!;
      const { sample, ratio, pad } = prepared[i]!;
      const d = sample.img.data;
      const off = i * 3 * plane;
      for (let p = 0, s = 0; p < plane; p++, s += 3) {
        images[off + p] = SCALE[d[s]!]!;
        images[off + plane + p] = SCALE[d[s + 1]!]!;
        images[off + 2 * plane + p] = SCALE[d[s + 2]!]!;
      }
      for (const b of sample.boxes)
        rows.push(
          i,
          b.cls,
          (b.x1 + b.x2) / 2 / S,
          (b.y1 + b.y2) / 2 / S,
          (b.x2 - b.x1) / S,
          (b.y2 - b.y1) / S,
        );
      files.push(item.file);
      shapes.push({ orig: [item.height, item.width], ratio, pad });
    }
    return { images, targets: Float32Array.from(rows), count: job.indices.length, files, shapes };
  }

  private async trainSample(index: number, epoch: number, mosaic: boolean): Promise<Prepared> {
    const { hyp, imgsz: S } = this.cfg;
    const rng = Rng.of(this.cfg.seed, index, epoch);
    const first = await this.loadResized(index);
    let s: Sample;
    if (mosaic && rng.next() < hyp.mosaic) {
      const others = [0, 1, 2].map(() => rng.int(0, this.items.length - 1));
      const parts = [first, ...(await Promise.all(others.map((k) => this.loadResized(k))))];
      s = randomAffine(mosaic4(parts, S, rng), hyp, rng, -S / 2);
    } else {
      const g = squareGeometry(first.img.width, first.img.height, S);
      s = randomAffine({ img: letterboxRgb(first.img, g), boxes: letterboxBoxes(first.boxes, g) }, hyp, rng);
    }
    // warpAffine returned fresh pixels: HSV may work in place.
    randomHsv(s.img.data, rng, { h: hyp.hsvH, s: hyp.hsvS, v: hyp.hsvV });
    if (rng.next() < hyp.flipud) s = vflip(s);
    if (rng.next() < hyp.fliplr) s = hflip(s);
    const item = this.items[index]!;
    return { sample: s, ratio: first.img.width / item.width, pad: [0, 0] };
  }

  /** load_image: long side to S (cv2 linear), boxes in its pixels. */
  private async loadResized(index: number): Promise<Sample> {
    const item = this.items[index]!;
    let img = this.cache.get(index);
    if (!img) {
      const src = await decodeRgb(item.file);
      const S = this.cfg.imgsz;
      const r = S / Math.max(src.width, src.height);
      const w = r === 1 ? src.width : Math.min(Math.ceil(src.width * r), S);
      const h = r === 1 ? src.height : Math.min(Math.ceil(src.height * r), S);
      img = { data: resizeLinear(src.data, src.width, src.height, w, h, 3), width: w, height: h };
      if (this.cfg.cache) this.cache.set(index, img);
    }
    return { img, boxes: pxBoxes(item.boxes, img.width, img.height) };
  }

  private async valSample(index: number): Promise<Prepared> {
    const item = this.items[index]!;
    const S = this.cfg.imgsz;
    let img = this.cache.get(index);
    const g = squareGeometry(item.width, item.height, S);
    if (!img) {
      img = letterboxRgb(await decodeRgb(item.file), g);
      if (this.cfg.cache) this.cache.set(index, img);
    }
    const boxes = letterboxBoxes(pxBoxes(item.boxes, item.width, item.height), g);
    return { sample: { img, boxes }, ratio: g.ratio, pad: [g.left, g.top] };
  }

  clear(): void {
    this.cache.clear();
  }
}

interface Prepared {
  readonly sample: Sample;
  readonly ratio: number;
  readonly pad: [number, number];
}

export function pxBoxes(boxes: readonly YoloBox[], w: number, h: number): PxBox[] {
  return boxes.map((b) => ({
    cls: b.classId,
    x1: (b.cx - b.w / 2) * w,
    y1: (b.cy - b.h / 2) * h,
    x2: (b.cx + b.w / 2) * w,
    y2: (b.cy + b.h / 2) * h,
  }));
}
