// Augmentation speed, against the built dist/ (npm run build first):
//   node bench/augment.bench.mjs [count=40] [workers=1,2]
// One source image = decode a 1280x720 JPEG + 7 augmented variants, each JPEG-encoded at q90 (the
// service writes 1 original + 7 augmented). Prints source images/s and CPU ms per source image
// (process.cpuUsage: all threads, sharp's included) against Albumentations 1.4.3 + OpenCV on this
// machine: 5.35 source images/s on one core, ~180 ms CPU per source image.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import sharp from "sharp";

const REFERENCE_IMAGES_PER_S = 5.35;
const REFERENCE_CPU_MS = 180;
const VARIANTS = 7;
const WIDTH = 1280;
const HEIGHT = 720;
const QUALITY = 90;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist", "src-workers");
if (!existsSync(join(dist, "augment", "pipeline.js"))) {
  process.stderr.write(`not built: run 'npm run build' in ${root}\n`);
  process.exit(1);
}
// One libvips thread per operation: a worker is one core's worth of work, as in the reference.
sharp.concurrency(1);

const encode = (img) =>
  sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality: QUALITY, optimiseCoding: false })
    .toBuffer();

if (isMainThread) await main();
else await workerLoop();

/** 1280x720 frames: the top of a 1280 px synth scene, 1-10 of its boxes (more objects stay as clutter). */
async function makeSources(count) {
  const { generateSynthImage } = await import(join(dist, "data", "synth", "index.js"));
  const sources = [];
  for (let i = 0; sources.length < count; i++) {
    const s = generateSynthImage(1, i, WIDTH);
    const boxes = s.boxes
      .map((b) => {
        const y0 = Math.max(0, (b.cy - b.h / 2) * WIDTH);
        const y1 = Math.min(HEIGHT, (b.cy + b.h / 2) * WIDTH);
        return { ...b, cy: (y0 + y1) / 2 / HEIGHT, h: (y1 - y0) / HEIGHT };
      })
      .filter((b) => b.h * HEIGHT >= 4)
      .slice(0, 10);
    if (boxes.length === 0) continue;
    const data = s.rgb.subarray(0, WIDTH * HEIGHT * 3);
    sources.push({ jpeg: await encode({ data, width: WIDTH, height: HEIGHT }), boxes });
  }
  return sources;
}

async function main() {
  const count = Number(process.argv[2] ?? 40);
  const workerCounts = (process.argv[3] ?? "1,2").split(",").map(Number);
  const sources = await makeSources(count);
  const boxesIn = sources.reduce((n, s) => n + s.boxes.length, 0);
  const line = (k, v) => console.log(`${k.padEnd(36)} ${v}`);
  line("source images", `${count} JPEGs ${WIDTH}x${HEIGHT}, ${boxesIn} boxes, ${VARIANTS} variants each`);
  for (const n of workerCounts) {
    const r = await run(sources, n);
    const rate = count / r.seconds;
    line(
      `${n} worker(s): source images/s`,
      `${rate.toFixed(2)} (x${(rate / REFERENCE_IMAGES_PER_S).toFixed(2)} of ${REFERENCE_IMAGES_PER_S})`,
    );
    line(`${n} worker(s): CPU ms / source image`, `${r.cpuMs.toFixed(1)} (reference ~${REFERENCE_CPU_MS})`);
    line(
      `${n} worker(s): stage ms / source image`,
      `decode ${r.decode.toFixed(1)}, augment ${r.augment.toFixed(1)}, encode ${r.encode.toFixed(1)}`,
    );
    line(
      `${n} worker(s): boxes kept / labels digest`,
      `${((100 * r.kept) / (boxesIn * VARIANTS)).toFixed(1)}% / ${r.digest}`,
    );
  }
}

/** n workers pull source indices from one queue; timing starts after each has warmed up. */
async function run(sources, n) {
  const workers = Array.from(
    { length: n },
    () => new Worker(fileURLToPath(import.meta.url), { workerData: { sources } }),
  );
  await Promise.all(workers.map((w) => once(w, "ready")));
  const results = new Array(sources.length);
  const stages = { decode: 0, augment: 0, encode: 0, kept: 0 };
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    workers.map(async (w) => {
      while (next < sources.length) {
        const index = next++;
        w.postMessage(index);
        const r = await once(w, "done");
        results[index] = r.digest;
        for (const k of Object.keys(stages)) stages[k] += r[k];
      }
      await w.terminate();
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const digest = createHash("sha256").update(results.join("\n")).digest("hex").slice(0, 16);
  const per = (v) => v / sources.length;
  return {
    seconds,
    cpuMs: per((cpu.user + cpu.system) / 1000),
    decode: per(stages.decode),
    augment: per(stages.augment),
    encode: per(stages.encode),
    kept: stages.kept,
    digest,
  };
}

function once(worker, type) {
  return new Promise((resolve, reject) => {
    const onError = (err) => {
      worker.off("message", onMessage);
      reject(err);
    };
    const onMessage = (m) => {
      if (m.type !== type) return;
      worker.off("message", onMessage);
      worker.off("error", onError);
      resolve(m);
    };
    worker.on("message", onMessage);
    worker.once("error", onError);
  });
}

async function workerLoop() {
  const { augmentVariant } = await import(join(dist, "augment", "pipeline.js"));
  const { sources } = workerData;
  const one = async (index) => {
    const { jpeg, boxes } = sources[index];
    const t0 = performance.now();
    const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const image = {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
    };
    const t1 = performance.now();
    let augment = 0;
    let encodeMs = 0;
    let kept = 0;
    const hash = createHash("sha256");
    for (let k = 1; k <= VARIANTS; k++) {
      const a0 = performance.now();
      const v = augmentVariant(image, boxes, 1, `source_${index}`, k);
      const a1 = performance.now();
      await encode(v.image);
      encodeMs += performance.now() - a1;
      augment += a1 - a0;
      kept += v.boxes.length;
      for (const b of v.boxes)
        hash.update(
          `${k} ${b.classId} ${b.cx.toFixed(6)} ${b.cy.toFixed(6)} ${b.w.toFixed(6)} ${b.h.toFixed(6)}\n`,
        );
    }
    return { type: "done", decode: t1 - t0, augment, encode: encodeMs, kept, digest: hash.digest("hex") };
  };
  // Warm-up outside the timings: JIT, sharp's first calls.
  for (let i = 0; i < Math.min(2, sources.length); i++) await one(i);
  parentPort.on("message", (index) => void one(index).then((r) => parentPort.postMessage(r)));
  parentPort.postMessage({ type: "ready" });
}
