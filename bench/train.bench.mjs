// Training speed and accuracy, against the built dist/ (npm run build first):
//   node bench/train.bench.mjs [--epochs 30] [--threads 2] [--workers 2] [--cache auto] [--keep]
// --cache true|false|auto (default auto, as azaion train): decoded images kept in RAM when they fit; the
// same results either way. The reference ran Ultralytics' default, no cache.
// yolo11n from scratch at imgsz 320, batch 16, on a synthetic 5-class shapes dataset generated here
// (400 train / 100 val JPEGs, deterministic: circle, square, triangle, star, cross in varied sizes,
// colours, rotations and backgrounds). Prints per epoch the train images/s (training steps and loading,
// validation left out), seconds per epoch, mAP50 and mAP50-95; at the end the images/s against the
// reference and the mAP at epochs 10/20/30 beside the reference's.
// Reference on this machine: Ultralytics 8.3.253 on Debian's PyTorch 1.13, 2 threads, same recipe on a
// similar shapes dataset: 16.8 train images/s, 24 s per epoch; mAP50 / mAP50-95 0.115 / 0.054 at epoch 10,
// 0.34 / 0.20 at 20, 0.43 / 0.28 at 30. Same run, same machine: PyTorch (bench/train_ref.py) training
// steps of the fused YOLO11n (no BatchNorm, loss or loader) at the same batch and size, as a floor for
// a Python trainer's cost per image. BENCH_PYTHON (default /usr/bin/python3: Debian's torch).
import { Buffer } from "node:buffer";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { startPythonPeer } from "./python-peer.mjs";

const REFERENCE = { imagesPerS: 16.8, secondsPerEpoch: 24, map: { 10: [0.115, 0.054], 20: [0.34, 0.2], 30: [0.43, 0.28] } }; // prettier-ignore
const CLASSES = ["circle", "square", "triangle", "star", "cross"];
const [W, H] = [480, 360];
const IMGSZ = 320;
const BATCH = 16;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist", "src-workers");
if (!existsSync(join(dist, "yolo", "engine", "trainer.js"))) {
  process.stderr.write(`not built: run 'npm run build' in ${root}\n`);
  process.exit(1);
}
const { values: opt } = parseArgs({
  options: {
    epochs: { type: "string", default: "30" },
    threads: { type: "string", default: process.env.BENCH_THREADS ?? "2" },
    workers: { type: "string", default: "2" },
    keep: { type: "boolean", default: false },
    cache: { type: "string", default: "auto" },
  },
});
const epochs = Number(opt.epochs);
const threads = Number(opt.threads);
if (!Number.isInteger(epochs) || epochs < 1)
  throw new Error(`--epochs ${opt.epochs}: expected a whole number >= 1`);

const { mulberry32 } = await import(join(dist, "core", "random.js"));
const torch = await import(join(dist, "torch", "index.js"));
const { loadDataset } = await import(join(dist, "yolo", "data", "dataset.js"));
const { createLoader } = await import(join(dist, "yolo", "data", "loader.js"));
const { Callbacks } = await import(join(dist, "yolo", "engine", "callbacks.js"));
const { trainArgs } = await import(join(dist, "yolo", "engine", "defaults.js"));
const { decideCache } = await import(join(dist, "yolo", "data", "cache-budget.js"));
const { Trainer } = await import(join(dist, "yolo", "engine", "trainer.js"));
const { DetectionModel } = await import(join(dist, "yolo", "model", "detection-model.js"));

/** Polygon points of a shape of class `cls` centred at (cx, cy), radius r, rotated by a (radians). */
function polygon(cls, cx, cy, r, a) {
  const pts = [];
  const rot = (x, y) => [cx + x * Math.cos(a) - y * Math.sin(a), cy + x * Math.sin(a) + y * Math.cos(a)];
  if (cls === 1) for (let k = 0; k < 4; k++) pts.push(rot(r * Math.cos(Math.PI / 4 + (k * Math.PI) / 2), r * Math.sin(Math.PI / 4 + (k * Math.PI) / 2)));
  if (cls === 2) for (let k = 0; k < 3; k++) pts.push(rot(r * Math.cos(-Math.PI / 2 + (k * 2 * Math.PI) / 3), r * Math.sin(-Math.PI / 2 + (k * 2 * Math.PI) / 3)));
  if (cls === 3)
    for (let k = 0; k < 10; k++) {
      const rr = k % 2 ? r * 0.42 : r;
      pts.push(rot(rr * Math.cos(-Math.PI / 2 + (k * Math.PI) / 5), rr * Math.sin(-Math.PI / 2 + (k * Math.PI) / 5)));
    }
  if (cls === 4) {
    const t = r * 0.33;
    for (const [x, y] of [[-t, -r], [t, -r], [t, -t], [r, -t], [r, t], [t, t], [t, r], [-t, r], [-t, t], [-r, t], [-r, -t], [-t, -t]])
      pts.push(rot(x, y));
  }
  return pts;
} // prettier-ignore

const hsl = (h, s, l) => `hsl(${Math.round(h)},${Math.round(s)}%,${Math.round(l)}%)`;

/** One image: background (solid, gradient or turbulence texture), 1-6 shapes; SVG and YOLO labels. */
function scene(rand) {
  const kind = Math.floor(rand() * 3);
  const bgH = rand() * 360;
  let defs = "";
  let bg = `<rect width="${W}" height="${H}" fill="${hsl(bgH, 10 + rand() * 40, 25 + rand() * 50)}"/>`;
  if (kind === 1) {
    defs = `<linearGradient id="g" x1="0" y1="0" x2="${rand().toFixed(2)}" y2="1"><stop offset="0" stop-color="${hsl(bgH, 30, 20 + rand() * 30)}"/><stop offset="1" stop-color="${hsl(bgH + 60 + rand() * 120, 30, 45 + rand() * 35)}"/></linearGradient>`;
    bg = `<rect width="${W}" height="${H}" fill="url(#g)"/>`;
  } else if (kind === 2) {
    defs = `<filter id="n"><feTurbulence type="fractalNoise" baseFrequency="${(0.01 + rand() * 0.05).toFixed(3)}" numOctaves="3" seed="${Math.floor(rand() * 1000)}"/><feColorMatrix type="saturate" values="${(rand() * 0.6).toFixed(2)}"/></filter>`;
    bg += `<rect width="${W}" height="${H}" filter="url(#n)" opacity="0.75"/>`;
  }
  const shapes = [];
  const boxes = [];
  const n = 1 + Math.floor(rand() * 6);
  for (let tries = 0; boxes.length < n && tries < 50; tries++) {
    const cls = Math.floor(rand() * CLASSES.length);
    const r = Math.min(W, H) * (0.05 + rand() * rand() * 0.25);
    const cx = r + rand() * (W - 2 * r);
    const cy = r + rand() * (H - 2 * r);
    const pts = cls === 0 ? null : polygon(cls, cx, cy, r, rand() * Math.PI * 2);
    const xs = pts ? pts.map((p) => p[0]) : [cx - r, cx + r];
    const ys = pts ? pts.map((p) => p[1]) : [cy - r, cy + r];
    const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    const overlaps = boxes.some(({ b }) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]);
    if (overlaps) continue;
    const fill = hsl(rand() * 360, 55 + rand() * 45, 35 + rand() * 35);
    const stroke =
      rand() < 0.4
        ? ` stroke="${hsl(rand() * 360, 30, 15)}" stroke-width="${(1 + rand() * 2).toFixed(1)}"`
        : "";
    shapes.push(
      cls === 0
        ? `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r.toFixed(1)}" fill="${fill}"${stroke}/>`
        : `<polygon points="${pts.map((p) => p.map((v) => v.toFixed(1)).join(",")).join(" ")}" fill="${fill}"${stroke}/>`,
    );
    boxes.push({ cls, b: box });
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><defs>${defs}</defs>${bg}${shapes.join("")}</svg>`;
  const labels = boxes
    .map(({ cls, b }) => `${cls} ${((b[0] + b[2]) / 2 / W).toFixed(6)} ${((b[1] + b[3]) / 2 / H).toFixed(6)} ${((b[2] - b[0]) / W).toFixed(6)} ${((b[3] - b[1]) / H).toFixed(6)}`)
    .join("\n"); // prettier-ignore
  return { svg, labels: `${labels}\n` };
}

async function makeDataset(dir) {
  const rand = mulberry32(20260101);
  for (const [split, count] of [["train", 400], ["val", 100]]) {
    await mkdir(join(dir, split, "images"), { recursive: true });
    await mkdir(join(dir, split, "labels"), { recursive: true });
    for (let i = 0; i < count; i++) {
      const s = scene(rand);
      await sharp(Buffer.from(s.svg)).jpeg({ quality: 90 }).toFile(join(dir, split, "images", `${i}.jpg`));
      await writeFile(join(dir, split, "labels", `${i}.txt`), s.labels);
    }
  } // prettier-ignore
  const names = CLASSES.map((c, i) => `  ${i}: ${c}`).join("\n");
  await writeFile(
    join(dir, "data.yaml"),
    `path: ${dir}\ntrain: train/images\nval: val/images\nnames:\n${names}\n`,
  );
  return join(dir, "data.yaml");
}

/** Mean ms per Python training step (2 warm-up steps, then 4 timed), or the reason there is none. */
async function pythonReference() {
  const python = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
  const peer = await startPythonPeer(python, join(root, "bench", "train_ref.py"), ["n", String(CLASSES.length), String(BATCH), String(IMGSZ), String(threads)], ["ms"]); // prettier-ignore
  if (peer.error) return { error: peer.error };
  try {
    for (let i = 0; i < 2; i++) await peer.ask("step");
    const ms = [];
    for (let i = 0; i < 4; i++) ms.push(await peer.ask("step"));
    return { info: peer.info, ms: ms.reduce((s, v) => s + v, 0) / ms.length };
  } finally {
    peer.close();
  }
}

const line = (k, v) => console.log(`${k.padEnd(34)} ${v}`);
const work = await mkdtemp(join(tmpdir(), "azaion-bench-train-"));
try {
  torch.setNumThreads(threads);
  const t0 = performance.now();
  const data = await makeDataset(join(work, "shapes"));
  line(
    "dataset",
    `5-class shapes, 400 train / 100 val ${W}x${H} JPEGs (${((performance.now() - t0) / 1000).toFixed(1)} s to make)`,
  );
  const py = await pythonReference();
  const pyRate = py.error ? null : (BATCH * 1000) / py.ms;
  line("PyTorch train step (same run)", py.error ? `not measured: ${py.error}` : `${py.ms.toFixed(0)} ms / batch ${BATCH} = ${pyRate.toFixed(1)} img/s (${py.info}; fused YOLO11n, no BN/loss/loader)`); // prettier-ignore

  const a = trainArgs({
    epochs,
    imgsz: IMGSZ,
    batch: BATCH,
    workers: Number(opt.workers),
    seed: 0,
    data,
    cache: { true: true, false: false, auto: "auto" }[opt.cache] ?? "auto",
  });
  const trainDs = await loadDataset({ dataYaml: data, split: "train" });
  const valDs = await loadDataset({ dataYaml: data, split: "val" }, { nc: CLASSES.length });
  const hyp = { mosaic: a.mosaic, degrees: a.degrees, translate: a.translate, scale: a.scale, shear: a.shear,
    hsvH: a.hsv_h, hsvS: a.hsv_s, hsvV: a.hsv_v, fliplr: a.fliplr, flipud: a.flipud }; // prettier-ignore
  // As azaion train: threads as the loader caps them, the cache decided by the same rule.
  const loaderThreads = Math.min(a.workers, availableParallelism(), BATCH);
  const cache = decideCache(a.cache, {
    train: trainDs.items,
    val: valDs.items,
    imgsz: IMGSZ,
    threads: loaderThreads,
  });
  line("image cache", cache.reason);
  const train = createLoader(trainDs, { imgsz: IMGSZ, batch: BATCH, train: true, seed: a.seed, epochs, closeMosaic: a.close_mosaic, hyp, workers: a.workers, cache: cache.cache }); // prettier-ignore
  const val = createLoader(valDs, { imgsz: IMGSZ, batch: BATCH * 2, train: false, workers: a.workers, cache: cache.cache }); // prettier-ignore
  torch.manualSeed(a.seed);
  const model = new DetectionModel({ scale: "n", nc: CLASSES.length, names: CLASSES });
  const cb = new Callbacks();
  let tTrain = 0;
  const trainSeconds = [];
  const maps = [];
  cb.on("on_train_epoch_start", () => void (tTrain = performance.now()));
  cb.on("on_train_epoch_end", () => void trainSeconds.push((performance.now() - tTrain) / 1000));
  cb.on("on_fit_epoch_end", (e) => {
    const s = trainSeconds.at(-1);
    const m50 = e.row["metrics/mAP50(B)"];
    const m = e.row["metrics/mAP50-95(B)"];
    maps.push([m50, m]);
    const ref = REFERENCE.map[e.epoch + 1];
    line(
      `epoch ${e.epoch + 1}/${epochs}`,
      `train ${s.toFixed(1)} s (${(trainDs.items.length / s).toFixed(1)} img/s), epoch ${e.epochSeconds.toFixed(1)} s, mAP50 ${m50.toFixed(3)} mAP50-95 ${m.toFixed(3)}` +
        (ref ? `  (reference ${ref[0]} / ${ref[1]})` : "") + `  loss ${["box", "cls", "dfl"].map((k) => e.row[`train/${k}_loss`].toFixed(3)).join(" ")}`,
    ); // prettier-ignore
  });
  try {
    await new Trainer({
      model,
      train,
      val,
      saveDir: join(work, "run"),
      callbacks: cb,
      args: a,
      source: "bench",
    }).train();
  } finally {
    model.dispose();
    await train.close();
    await val.close();
  }
  const total = trainSeconds.reduce((s, v) => s + v, 0);
  const rate = (trainDs.items.length * trainSeconds.length) / total;
  console.log("");
  line("train images/s (all epochs)", `${rate.toFixed(1)} (x${(rate / REFERENCE.imagesPerS).toFixed(2)} of Ultralytics' ${REFERENCE.imagesPerS}; goal x1.2)`); // prettier-ignore
  line(
    "train seconds / epoch",
    `${(total / trainSeconds.length).toFixed(1)} (reference ${REFERENCE.secondsPerEpoch})`,
  );
  if (pyRate)
    line(
      "against the PyTorch step floor",
      `x${(rate / pyRate).toFixed(2)} of ${pyRate.toFixed(1)} img/s (model only, same run)`,
    );
  for (const e of [10, 20, 30]) {
    const ours = maps[e - 1];
    const [r50, r] = REFERENCE.map[e];
    line(`mAP50 / mAP50-95 at epoch ${e}`, ours ? `${ours[0].toFixed(3)} / ${ours[1].toFixed(3)} (reference ${r50} / ${r})` : `not reached (reference ${r50} / ${r})`); // prettier-ignore
  }
} finally {
  if (opt.keep) console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}
