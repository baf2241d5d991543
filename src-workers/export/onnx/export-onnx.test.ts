/**
 * The exported graph run by ONNX Runtime (onnxruntime-node, CPU) against our libtorch model on the
 * Ultralytics-trained shapes model: raw output within 1e-4 relative, NMS output equal to our predictor's
 * NMS for each image of a batch of 8 different images, dynamic batch 1 and 8, metadata.
 */
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRgb, type RgbImage } from "../../core/image-decode.js";
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { letterboxBatch } from "../../yolo/predict/image.js";
import { loadDetector, type LoadedDetector } from "../../yolo/predict/load.js";
import { nonMaxSuppression } from "../../yolo/predict/nms.js";
import { FIXTURES } from "../../yolo/predict/test-support.js";
import { exportOnnx } from "./export-onnx.js";
import { decodeModel } from "./schema.js";

const IMGSZ = 256;
const NMS = { conf: 0.25, iou: 0.7, maxDet: 50 };

/** Eight different views of the reference image: flips, rotations, crops, a tint. */
async function eightImages(): Promise<RgbImage[]> {
  const file = join(FIXTURES, "val_00003.jpg");
  const meta = await sharp(file).metadata();
  const w = meta.width;
  const h = meta.height;
  const variants = [
    sharp(file),
    sharp(file).flop(),
    sharp(file).flip(),
    sharp(file).rotate(90),
    sharp(file).rotate(180),
    sharp(file).extract({ left: 0, top: 0, width: Math.floor(w * 0.6), height: Math.floor(h * 0.7) }),
    sharp(file).extract({
      left: Math.floor(w * 0.3),
      top: Math.floor(h * 0.25),
      width: Math.floor(w * 0.7),
      height: Math.floor(h * 0.75),
    }),
    sharp(file)
      .modulate({ brightness: 0.8 })
      .resize(Math.floor(w * 0.5)),
  ];
  return Promise.all(variants.map(async (s) => decodeRgb(await s.png().toBuffer())));
}

function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
  });
}

async function run(s: ort.InferenceSession, x: Tensor): Promise<Record<string, ort.Tensor>> {
  const data = Float32Array.from(x.contiguous().data() as Float32Array);
  return s.run({ images: new ort.Tensor("float32", data, x.shape) });
}

let det: LoadedDetector;
let batch: Tensor;
let ours: Tensor;

beforeAll(async () => {
  torch.setNumThreads(1);
  det = await loadDetector(join(FIXTURES, "yolo11n-shapes-nc5.pt"));
  const images = await eightImages();
  batch = torch.keep(letterboxBatch(images, IMGSZ, 32, false).tensor);
  ours = torch.keep(torch.noGrad(() => det.model.infer(batch)));
});

afterAll(() => {
  torch.dispose([batch, ours]);
  det?.model.dispose();
});

describe("ONNX export: raw output", () => {
  it("equals our libtorch forward within 1e-4 relative, for batch 8 and batch 1", async () => {
    const exp = exportOnnx(det.model, { imgsz: IMGSZ, nms: false });
    expect(exp.outputs[0]!.shape).toEqual(["batch", 9, 1344]);
    const s = await session(exp.bytes);
    const out = (await run(s, batch)).output0!;
    expect(out.dims).toEqual([8, 9, 1344]);
    const got = out.data as Float32Array;
    const want = ours.contiguous().data() as Float32Array;
    // Rows 0-3 are pixels (up to imgsz), rows 4.. scores in 0-1: compare each part against its own scale.
    const [B, C, N] = [8, 9, 1344];
    let boxErr = 0;
    let boxMax = 0;
    let scoreErr = 0;
    for (let b = 0; b < B; b++)
      for (let c = 0; c < C; c++)
        for (let a = 0; a < N; a++) {
          const i = (b * C + c) * N + a;
          const d = Math.abs(got[i]! - want[i]!);
          if (c < 4) {
            boxErr = Math.max(boxErr, d);
            boxMax = Math.max(boxMax, Math.abs(want[i]!));
          } else scoreErr = Math.max(scoreErr, d);
        }
    expect(boxErr / boxMax).toBeLessThan(1e-4);
    expect(scoreErr).toBeLessThan(1e-4);

    const one = torch.tidy(() => torch.keep(batch.narrow(0, 3, 1).contiguous()));
    const out1 = (await run(s, one)).output0!;
    one.dispose();
    expect(out1.dims).toEqual([1, 9, 1344]);
    const row3 = want.subarray(3 * C * N, 4 * C * N);
    const d1 = (out1.data as Float32Array).reduce(
      (m, v, i) => Math.max(m, Math.abs(v - row3[i]!) / (i % (C * N) < 4 * N ? boxMax : 1)),
      0,
    );
    expect(d1).toBeLessThan(1e-4);
    await s.release();
  });
});

interface NmsCase {
  readonly conf: number;
  readonly iou: number;
  readonly maxDet: number;
  readonly maxNms?: number;
}

/** Run the NMS graph on the batch and compare it, image by image, with nonMaxSuppression on our forward. */
async function compareNms(
  o: NmsCase,
): Promise<{ counts: number[]; want: number[][]; s: ort.InferenceSession }> {
  const exp = exportOnnx(det.model, { imgsz: IMGSZ, ...o });
  const s = await session(exp.bytes);
  const r = await run(s, batch);
  const counts = Array.from(r.num_detections!.data as BigInt64Array, Number);
  expect(r.detections!.dims).toEqual([8, o.maxDet, 6]);
  const want = torch.tidy(() => nonMaxSuppression(ours, o).map((t) => t.toNumbers()));
  const got = r.detections!.data as Float32Array;
  const row = (b: number, k: number) =>
    Array.from(got.subarray((b * o.maxDet + k) * 6, (b * o.maxDet + k + 1) * 6));
  for (let b = 0; b < 8; b++) {
    const w = want[b]!;
    const n = w.length / 6;
    expect(counts[b], `image ${b}: detections`).toBe(n);
    for (let k = 0; k < n; k++) {
      const g = row(b, k);
      const e = w.slice(6 * k, 6 * k + 6);
      expect(g[5], `image ${b} row ${k} class`).toBe(e[5]);
      expect(Math.abs(g[4]! - e[4]!), `image ${b} row ${k} score`).toBeLessThan(1e-4);
      for (let j = 0; j < 4; j++)
        expect(Math.abs(g[j]! - e[j]!), `image ${b} row ${k} coord ${j}`).toBeLessThan(1e-4 * IMGSZ);
    }
    for (let k = n; k < o.maxDet; k++)
      expect(row(b, k), `image ${b} row ${k} padding`).toEqual([0, 0, 0, 0, 0, 0]);
  }
  return { counts, want, s };
}

describe("ONNX export of an unfused model", () => {
  it("folds each BatchNorm into its conv on the way (the model stays unfused) and gives the same output", async () => {
    const unfused = await loadDetector(join(FIXTURES, "yolo11n-shapes-nc5.pt"), { fuse: false });
    try {
      const x = torch.tidy(() => torch.keep(batch.narrow(0, 0, 2).contiguous()));
      const exp = exportOnnx(unfused.model, { imgsz: IMGSZ, nms: false });
      expect(
        unfused.model.model
          .at(0)
          .namedModules()
          .some(([n]) => n === "bn"),
      ).toBe(true);
      const s = await session(exp.bytes);
      const got = (await run(s, x)).output0!.data as Float32Array;
      await s.release();
      const want = ours.narrow(0, 0, 2).contiguous().data() as Float32Array;
      x.dispose();
      const err = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0);
      expect(err / IMGSZ).toBeLessThan(1e-4);
    } finally {
      unfused.model.dispose();
    }
  });
});

describe("ONNX export: NMS inside", () => {
  it("gives our NMS's detections for every image of a batch of 8 different images", async () => {
    const { counts, want, s } = await compareNms(NMS);
    const total = counts.reduce((a, b) => a + b, 0);
    // Real detections on most images, and the images differ (not image 0's boxes copied to all).
    expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(6);
    expect(total).toBeGreaterThan(20);
    expect(
      new Set(
        want.map((w) =>
          w
            .slice(0, 4)
            .map((v) => v.toFixed(0))
            .join(","),
        ),
      ).size,
    ).toBeGreaterThan(5);

    const one = torch.tidy(() => torch.keep(batch.narrow(0, 5, 1).contiguous()));
    const r1 = await run(s, one);
    one.dispose();
    expect(r1.detections!.dims).toEqual([1, NMS.maxDet, 6]);
    expect(Number((r1.num_detections!.data as BigInt64Array)[0])).toBe(counts[5]);
    await s.release();
  });

  it("keeps only the maxNms best anchors before NMS, as our NMS does, and caps each image at maxDet", async () => {
    const o = { conf: 0.001, iou: 0.5, maxDet: 20, maxNms: 40 };
    const { counts, want, s } = await compareNms(o);
    expect(counts.every((c) => c > 0 && c <= 20)).toBe(true);
    // The cap matters here: without it our NMS keeps other boxes on some image.
    const uncapped = torch.tidy(() =>
      nonMaxSuppression(ours, { ...o, maxNms: 30000 }).map((t) => t.toNumbers()),
    );
    expect(uncapped.some((u, b) => u.join() !== want[b]!.join())).toBe(true);
    await s.release();
    // Low conf, no candidate cap: every image has more than maxDet boxes left and gets exactly maxDet.
    const full = await compareNms({ conf: 0.001, iou: 0.5, maxDet: 20 });
    expect(full.counts).toEqual(new Array<number>(8).fill(20));
    await full.s.release();
  });

  it("records names, strides, imgsz, batch range, NMS settings and padding in the metadata", () => {
    const date = new Date("2026-01-02T03:04:05Z");
    const exp = exportOnnx(det.model, { imgsz: IMGSZ, batchMax: 8, ...NMS, version: "9.9.9", date });
    const m = decodeModel(exp.bytes);
    expect(m.opset).toBe(17);
    expect(m.inputs).toEqual([{ name: "images", elemType: 1, shape: ["batch", 3, IMGSZ, IMGSZ] }]);
    expect(m.outputs.map((o) => o.name)).toEqual(["detections", "num_detections"]);
    expect(m.ops.NonMaxSuppression).toBe(1);
    const md = m.metadata;
    expect(JSON.parse(md.names!)).toEqual(Object.fromEntries(det.names.map((n, i) => [String(i), n])));
    expect(JSON.parse(md.strides!)).toEqual([8, 16, 32]);
    expect(JSON.parse(md.imgsz!)).toEqual([IMGSZ, IMGSZ]);
    expect([md.task, md.batch_min, md.batch_max, md.version, md.date]).toEqual([
      "detect",
      "1",
      "8",
      "9.9.9",
      date.toISOString(),
    ]);
    expect(JSON.parse(md.nms!)).toMatchObject({ conf: 0.25, iou: 0.7, max_det: 50, class_aware: true });
    expect(md.padding).toMatch(/zeros/);
  });
});
