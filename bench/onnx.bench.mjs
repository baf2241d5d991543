// ONNX Runtime (CPU) against our libtorch forward on the same exported YOLO11n (Ultralytics' yolo11n
// weights, tests/data/yolo11/yolo11n-nc80.pt, fused): raw output (what both compute) and, second, the
// NMS-inside graph against our forward + our NMS. Both sides get the same number of intra-op threads
// (1 by default, for a fair comparison on a shared machine; BENCH_THREADS=1,2 adds 2). Runs alternate
// ours/ORT after a warm-up; printed: medians and the median of the per-pair ratios ours / ORT
// (> 1: ONNX Runtime is faster).
//
//   npm run build && npm run bench:onnx
//   env: BENCH_IMGSZ (320,640), BENCH_BATCHES (1,8), BENCH_THREADS (1), BENCH_RUNS (5), BENCH_WARMUP (1)
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as ort from "onnxruntime-node";
import { median } from "./stats.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => pathToFileURL(join(root, "dist", "src-workers", p)).href;
if (!existsSync(join(root, "dist", "src-workers", "export", "onnx", "export-onnx.js"))) {
  console.error("dist/ has no ONNX exporter: run 'npm run build' first");
  process.exit(1);
}
const torch = await import(dist("torch/index.js"));
const { loadDetector } = await import(dist("yolo/predict/load.js"));
const { exportOnnx } = await import(dist("export/onnx/export-onnx.js"));
const { nonMaxSuppression } = await import(dist("yolo/predict/nms.js"));
const { decodeRgb } = await import(dist("core/image-decode.js"));
const { letterboxBatch } = await import(dist("yolo/predict/image.js"));

const list = (v, d) =>
  (v ?? d)
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isFinite(n) && n > 0);
const SIZES = list(process.env.BENCH_IMGSZ, "320,640");
const BATCHES = list(process.env.BENCH_BATCHES, "1,8");
const THREADS = list(process.env.BENCH_THREADS, "1");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const NMS = { conf: 0.25, iou: 0.7, maxDet: 300 };

const fixtures = join(root, "tests", "data", "yolo11");
const det = await loadDetector(join(fixtures, "yolo11n-nc80.pt"));
// A real image (letterboxed, as the predictor feeds it), repeated to the batch: random noise is far
// outside what the network saw and makes both sides' float rounding diverge more than real input does.
const image = await decodeRgb(join(fixtures, "val_00003.jpg"));
const model = det.model;
console.log(
  `onnx bench: YOLO11n (nc 80) fused, CPU, ours = libtorch ${torch.buildInfo().torchVersion} via the addon, ` +
    `ORT = onnxruntime-node ${ort.env.versions.node}; same intra-op threads on both sides`,
);

function ours(x, withNms) {
  const t0 = performance.now();
  torch.noGrad(() =>
    torch.tidy(() => {
      const p = model.infer(x);
      if (withNms) nonMaxSuppression(p, NMS).forEach((d) => d.toNumbers());
      else p.sum().item();
    }),
  );
  return performance.now() - t0;
}

async function theirs(session, feeds) {
  const t0 = performance.now();
  await session.run(feeds);
  return performance.now() - t0;
}

const rows = [];
for (const threads of THREADS) {
  torch.setNumThreads(threads);
  const opts = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential" };
  for (const imgsz of SIZES) {
    const raw = await ort.InferenceSession.create(exportOnnx(model, { imgsz, nms: false }).bytes, opts);
    const nms = await ort.InferenceSession.create(exportOnnx(model, { imgsz, ...NMS }).bytes, opts);
    for (const b of BATCHES) {
      const x = torch.keep(letterboxBatch(new Array(b).fill(image), imgsz, 32, false).tensor);
      const feeds = { images: new ort.Tensor("float32", Float32Array.from(x.data()), [b, 3, imgsz, imgsz]) };
      // Same input, same answer: the largest difference of the raw outputs relative to imgsz (boxes are
      // pixels; scores 0-1 differ less).
      const ref = torch.noGrad(() => torch.tidy(() => Float32Array.from(model.infer(x).data())));
      const got = (await raw.run(feeds)).output0.data;
      const diff = ref.reduce((m, v, i) => Math.max(m, Math.abs(v - got[i])), 0) / imgsz;
      for (const [kind, session, withNms] of [
        ["raw", raw, false],
        ["nms", nms, true],
      ]) {
        for (let i = 0; i < WARMUP; i++) {
          ours(x, withNms);
          await theirs(session, feeds);
        }
        const a = [];
        const t = [];
        const r = [];
        for (let i = 0; i < RUNS; i++) {
          const o = ours(x, withNms);
          const e = await theirs(session, feeds);
          a.push(o);
          t.push(e);
          r.push(o / e);
        }
        const row = {
          threads,
          imgsz,
          batch: b,
          output: kind,
          ours_ms: median(a),
          ort_ms: median(t),
          ratio: median(r),
        };
        rows.push(row);
        console.log(
          `  ${threads} thread(s) ${imgsz} px batch ${b} ${kind}: ours ${row.ours_ms.toFixed(1)} ms, ORT ${row.ort_ms.toFixed(1)} ms, ` +
            `ours/ORT ${row.ratio.toFixed(3)}` +
            (kind === "raw"
              ? ` (max |diff| / imgsz ${diff.toExponential(1)})`
              : " (ours: forward + nonMaxSuppression)"),
        );
      }
      x.dispose();
    }
    await raw.release();
    await nms.release();
  }
}
model.dispose();
console.table(
  rows.map((r) => ({
    ...r,
    ours_ms: +r.ours_ms.toFixed(1),
    ort_ms: +r.ort_ms.toFixed(1),
    ratio: +r.ratio.toFixed(3),
  })),
);
