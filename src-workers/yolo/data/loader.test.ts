import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { decodeRgb } from "../../core/image-decode.js";
import { letterboxBatch } from "../predict/image.js";
import { loadDataset, type Dataset } from "./dataset.js";
import { createLoader, type LoaderOptions } from "./loader.js";
import type { Batch } from "./types.js";

const COLOURS = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]] as const; // prettier-ignore
const N = 10;
let dir: string;
let train: Dataset;
let val: Dataset;

/** Image k: one class (k % 4), two rectangles of its colour on grey, sizes vary. */
async function writeImage(file: string, k: number): Promise<string> {
  const w = 80 + 8 * k;
  const h = 60 + 5 * (k % 3);
  const data = Buffer.alloc(w * h * 3, 60);
  const rects = [[8, 6, 40, 30], [w - 30, h - 26, w - 6, h - 4]] as const; // prettier-ignore
  const cls = k % 4;
  for (const [x1, y1, x2, y2] of rects)
    for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) data.set(COLOURS[cls]!, (y * w + x) * 3);
  await sharp(data, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(file);
  return rects
    .map(
      ([x1, y1, x2, y2]) =>
        `${cls} ${(x1 + x2) / 2 / w} ${(y1 + y2) / 2 / h} ${(x2 - x1) / w} ${(y2 - y1) / h}\n`,
    )
    .join("");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "yolo-data-"));
  for (const split of ["train", "valid"]) {
    await mkdir(join(dir, split, "images"), { recursive: true });
    await mkdir(join(dir, split, "labels"), { recursive: true });
    for (let k = 0; k < N; k++) {
      const label = await writeImage(join(dir, split, "images", `im${k}.png`), k);
      if (k !== 9) await writeFile(join(dir, split, "labels", `im${k}.txt`), label); // im9: background
    }
  }
  await writeImage(join(dir, "train", "images", "bad.png"), 1);
  await writeFile(join(dir, "train", "labels", "bad.txt"), "7 0.5 0.5 0.2 0.2\n0 0.5 nope 0.1 0.1\n");
  await writeFile(join(dir, "train", "images", "broken.png"), "not a png");
  const yaml = `path: ${dir}\ntrain: train/images\nval: valid/images\nnames:\n  0: a\n  1: b\n  2: c\n  3: d\n`;
  await writeFile(join(dir, "data.yaml"), yaml);
  train = await loadDataset({ dataYaml: join(dir, "data.yaml"), split: "train" });
  val = await loadDataset({ dataYaml: join(dir, "data.yaml"), split: "val" });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const OPTS: LoaderOptions = { imgsz: 64, batch: 4, train: true, seed: 7, epochs: 12, closeMosaic: 10 };

/** Plain copies of every batch of an epoch, tensors disposed. */
async function collect(opts: LoaderOptions, epoch: number, ds = train) {
  const loader = createLoader(ds, opts);
  const out: { images: Float32Array; targets: number[]; files: readonly string[]; b: Omit<Batch, "images" | "targets"> }[] = []; // prettier-ignore
  try {
    for await (const b of loader.epoch(epoch)) {
      out.push({
        images: b.images.data() as Float32Array,
        targets: b.targets.toNumbers(),
        files: b.files,
        b,
      });
      b.images.dispose();
      b.targets.dispose();
    }
  } finally {
    await loader.close();
  }
  return { out, workers: loader.workers };
}

describe("yolo data loader", () => {
  it("lists a data.yaml split, reports bad labels and images and skips them", () => {
    expect(train.names).toEqual(["a", "b", "c", "d"]);
    expect(train.items).toHaveLength(N);
    expect(train.items.find((i) => i.file.endsWith("im9.png"))?.boxes).toEqual([]);
    const msgs = train.problems.map((p) => `${p.file}: ${p.message}`).join("\n");
    expect(msgs).toMatch(/bad\.txt: class 7 is outside the dataset's 4 classes/);
    expect(msgs).toMatch(/bad\.png: image left out/);
    expect(msgs).toMatch(/broken\.png: image left out/);
    expect(val.items).toHaveLength(N);
  });

  it("lists a bare images folder, labels beside it in labels/", async () => {
    const ds = await loadDataset({ images: join(dir, "valid", "images") }, { nc: 4 });
    expect(ds.items.map((i) => i.boxes.length)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 0]);
    expect(ds.names).toEqual([]);
  });

  it("gives batches of the contract's shapes and dtypes, boxes on their colours", async () => {
    const hyp = { hsvH: 0, hsvS: 0, hsvV: 0 };
    const { out } = await collect({ ...OPTS, hyp }, 0);
    expect(out.map((o) => o.files.length)).toEqual([4, 4, 2]);
    let boxes = 0;
    for (const o of out) {
      const B = o.files.length;
      expect(o.images.length).toBe(B * 3 * 64 * 64);
      expect(o.b.shapes).toHaveLength(B);
      for (let r = 0; r < o.targets.length; r += 6, boxes++) {
        const [i = 0, cls = 0, cx = 0, cy = 0, w = 0, h = 0] = o.targets.slice(r, r + 6);
        expect(i).toBeLessThan(B);
        expect(cx - w / 2).toBeGreaterThanOrEqual(-1e-6);
        expect(cx + w / 2).toBeLessThanOrEqual(1 + 1e-6);
        const [x1, x2, y1, y2] = [cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2].map((v) => Math.round(v * 64)); // prettier-ignore
        let hit = 0;
        for (let y = y1!; y < y2!; y++)
          for (let x = x1!; x < x2!; x++) {
            const p = i * 3 * 4096 + y * 64 + x;
            const c = COLOURS[cls]!;
            if ([0, 1, 2].every((k) => Math.abs(o.images[p + k * 4096]! * 255 - c[k]!) < 4)) hit++;
          }
        expect(hit / ((x2! - x1!) * (y2! - y1!))).toBeGreaterThan(0.5);
      }
    }
    expect(boxes).toBeGreaterThan(5);
  });

  it("is deterministic for a seed, differs between epochs, and tensors do not leak", async () => {
    const before = torch.liveTensors().count;
    const a = await collect(OPTS, 3);
    const b = await collect(OPTS, 3);
    const c = await collect(OPTS, 4);
    expect(b.out.map((o) => [o.files, o.targets])).toEqual(a.out.map((o) => [o.files, o.targets]));
    expect(b.out.every((o, k) => Buffer.compare(Buffer.from(o.images.buffer), Buffer.from(a.out[k]!.images.buffer)) === 0)).toBe(true); // prettier-ignore
    expect(c.out.map((o) => o.files)).not.toEqual(a.out.map((o) => o.files));
    // Stopping early (break) leaves nothing alive either.
    const loader = createLoader(train, { ...OPTS, prefetch: 3 });
    for await (const batch of loader.epoch(0)) {
      batch.images.dispose();
      batch.targets.dispose();
      break;
    }
    await loader.close();
    expect(torch.liveTensors().count).toBe(before);
  });

  it("closes mosaic for the last closeMosaic epochs", async () => {
    const loader = createLoader(train, OPTS);
    expect([0, 1, 2, 11].map((e) => loader.mosaicAt(e))).toEqual([true, true, false, false]);
    await loader.close();
    const classesPerImage = async (epoch: number) => {
      const { out } = await collect(OPTS, epoch);
      return out.flatMap((o) =>
        o.files.map(
          (_, i) => new Set(o.targets.filter((_, k) => k % 6 === 1 && o.targets[k - 1] === i)).size,
        ),
      );
    };
    expect(Math.max(...(await classesPerImage(1)))).toBeGreaterThan(1); // mosaic mixes files
    expect(Math.max(...(await classesPerImage(2)))).toBeLessThanOrEqual(1);
  });

  it("gives the same batches with 2 worker threads as on this thread", async () => {
    const local = await collect({ ...OPTS, workers: 0 }, 1);
    const pooled = await collect({ ...OPTS, workers: 2, prefetch: 4 }, 1);
    expect(pooled.workers).toBe(Math.min(2, availableParallelism()));
    expect(pooled.out.map((o) => [o.files, o.targets])).toEqual(local.out.map((o) => [o.files, o.targets]));
    for (const [k, o] of pooled.out.entries())
      expect(Buffer.compare(Buffer.from(o.images.buffer), Buffer.from(local.out[k]!.images.buffer))).toBe(0);
  });

  it("runs no more loader threads than cores or images a batch (Ultralytics' cap)", async () => {
    const many = createLoader(train, { ...OPTS, workers: 64 });
    const one = createLoader(train, { ...OPTS, batch: 1, workers: 4 });
    try {
      expect(many.workers).toBe(Math.min(availableParallelism(), OPTS.batch));
      expect(one.workers).toBe(0);
    } finally {
      await many.close();
      await one.close();
    }
  });

  it("letterboxes validation images as the predictor does, in order, with their geometry", async () => {
    const { out } = await collect({ ...OPTS, train: false, batch: 3 }, 0, val);
    expect(out.flatMap((o) => o.files)).toEqual(val.items.map((i) => i.file));
    const first = out[0]!;
    const img = await decodeRgb(first.files[0]!);
    const ref = letterboxBatch([img], 64, 32, false);
    try {
      const r = ref.tensor.data() as Float32Array;
      expect(first.images.subarray(0, r.length)).toEqual(r);
      const g = ref.geometry[0]!;
      expect(first.b.shapes[0]).toEqual({
        orig: [img.height, img.width],
        ratio: g.ratio,
        pad: [g.left, g.top],
      });
    } finally {
      ref.tensor.dispose();
    }
  });
});
