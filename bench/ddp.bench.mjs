// Data-parallel scaling on this machine, against the built dist/ (npm run build first):
//   node bench/ddp.bench.mjs [--epochs 3] [--imgsz 160] [--batch 8] [--images 48] [--keep]
// yolo11n from scratch on a generated 3-class dataset (coloured rectangles on textured grey, JPEG):
//   reference: 1 process, 2 torch threads (BENCH_ONE_THREADS), batch B;
//   measured:  2 processes (Gloo over 127.0.0.1), 1 torch thread each, B/2 images each (global batch B).
// Same images per optimizer step, same steps. Prints train images/s of both (the first epoch, which decodes
// and caches the images, left out), the ratio 2-process / 1-process, and the time of one gradient allreduce
// of yolo11n (all its gradients, bucketed) between the 2 processes against the time of a training step.
// Also the CPU time per image of both ways: on a busy machine wall-clock images/s mostly measures the
// scheduler (a 2-thread OpenMP process waits for its descheduled thread), CPU time the work itself.
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import sharp from "sharp";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
if (!existsSync(join(root, "dist", "src-workers", "yolo", "engine", "data-parallel.js"))) {
  process.stderr.write(`not built: run 'npm run build' in ${root}\n`);
  process.exit(1);
}
const { values: opt } = parseArgs({
  options: {
    epochs: { type: "string", default: "3" },
    imgsz: { type: "string", default: "160" },
    batch: { type: "string", default: "8" },
    images: { type: "string", default: "48" },
    keep: { type: "boolean", default: false },
  },
});
const [epochs, imgsz, batch, nImages] = [opt.epochs, opt.imgsz, opt.batch, opt.images].map(Number);
if (epochs < 2) throw new Error("--epochs: at least 2 (the first is not timed)");
if (batch % 2 !== 0) throw new Error("--batch: an even global batch (split over 2 processes)");

const dir = await mkdtemp(join(tmpdir(), "azaion-bench-ddp-"));
const { freePort } = await import(join(root, "dist", "src-workers", "core", "free-port.js"));

/** n images 320x240: 1-3 rectangles of their class colour on noisy grey; YOLO labels. */
async function dataset(n) {
  await mkdir(join(dir, "train", "images"), { recursive: true });
  await mkdir(join(dir, "train", "labels"), { recursive: true });
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const colours = [[220, 40, 40], [40, 200, 60], [50, 70, 230]];
  const [W, H] = [320, 240];
  for (let k = 0; k < n; k++) {
    const px = Buffer.alloc(W * H * 3);
    for (let i = 0; i < px.length; i++) px[i] = 90 + Math.floor(rand() * 60);
    const lines = [];
    for (let r = 0, m = 1 + Math.floor(rand() * 3); r < m; r++) {
      const cls = Math.floor(rand() * 3);
      const [bw, bh] = [20 + Math.floor(rand() * 100), 20 + Math.floor(rand() * 80)];
      const [x0, y0] = [Math.floor(rand() * (W - bw)), Math.floor(rand() * (H - bh))];
      for (let y = y0; y < y0 + bh; y++) for (let x = x0; x < x0 + bw; x++) px.set(colours[cls], (y * W + x) * 3);
      lines.push(`${cls} ${(x0 + bw / 2) / W} ${(y0 + bh / 2) / H} ${bw / W} ${bh / H}`);
    }
    await sharp(px, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 90 }).toFile(join(dir, "train", "images", `${k}.jpg`));
    await writeFile(join(dir, "train", "labels", `${k}.txt`), `${lines.join("\n")}\n`);
  }
  const yaml = join(dir, "data.yaml");
  await writeFile(yaml, "path: .\ntrain: train/images\nval: train/images\nnames:\n  0: red\n  1: green\n  2: blue\n");
  return yaml;
} // prettier-ignore

function rank(spec) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "bench", "ddp-rank.mjs"), JSON.stringify(spec)], {
      env: { ...process.env, OMP_NUM_THREADS: String(spec.threads), AZAION_TORCH__THREADS: String(spec.threads) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out.trim() ? JSON.parse(out.trim().split("\n").pop()) : null) : reject(new Error(`rank ${spec.rank} exited ${code}`)),
    );
  });
} // prettier-ignore

try {
  const data = await dataset(nImages);
  const base = { data, imgsz, batch, epochs, out: dir };
  // Other work on the machine changes the outcome (see docs/scaling.md): say how loaded it was.
  const load = () => loadavg()[0].toFixed(1);
  console.log(`yolo11n, imgsz ${imgsz}, ${nImages} images, global batch ${batch}, ${epochs} epochs (first not timed); ${availableParallelism()} cores, load average ${load()}`); // prettier-ignore
  const oneThreads = Number(process.env.BENCH_ONE_THREADS ?? 2);
  const one = await rank({ ...base, threads: oneThreads, rank: 0, world: 1, port: 0 });
  console.log(`1 process,  ${oneThreads} threads, batch ${batch}:        ${one.imagesPerS.toFixed(2)} images/s (${one.epochSeconds.toFixed(2)} s/epoch, ${one.steps} steps)`); // prettier-ignore
  const port = await freePort();
  const [two, other] = await Promise.all(
    [0, 1].map((r) => rank({ ...base, threads: 1, rank: r, world: 2, port })),
  );
  console.log(`2 processes, 1 thread each, ${batch / 2} + ${batch / 2}:   ${two.imagesPerS.toFixed(2)} images/s (${two.epochSeconds.toFixed(2)} s/epoch, ${two.steps} steps)`); // prettier-ignore
  const stepMs = (two.epochSeconds / two.steps) * 1000;
  console.log(`gradient allreduce (${(two.params / 1e6).toFixed(2)}M float32 = ${((two.params * 4) / 2 ** 20).toFixed(1)} MiB, Gloo, loopback): ${two.allreduceMs.toFixed(1)} ms = ${((100 * two.allreduceMs) / stepMs).toFixed(1)}% of a ${stepMs.toFixed(0)} ms step`); // prettier-ignore
  // CPU time per image (all threads of all processes): the work each way costs, whatever else runs here.
  const cpuOne = one.cpuMsPerEpoch / one.images;
  const cpuTwo = (two.cpuMsPerEpoch + other.cpuMsPerEpoch) / two.images;
  console.log(`CPU time per image: 1 process ${cpuOne.toFixed(0)} ms, 2 processes ${cpuTwo.toFixed(0)} ms (ratio ${(cpuOne / cpuTwo).toFixed(2)})`); // prettier-ignore
  console.log(`ratio 2 processes / 1 process: ${(two.imagesPerS / one.imagesPerS).toFixed(2)} (load average at the end ${load()})`); // prettier-ignore
} finally {
  if (!opt.keep) await rm(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
