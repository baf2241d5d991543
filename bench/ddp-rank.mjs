// One process of bench/ddp.bench.mjs: trains yolo11n on the bench's dataset as rank RANK of WORLD
// (WORLD 1: a plain process), then times the gradient allreduce alone. Prints one JSON line.
// Argument: a JSON object {data, imgsz, batch (global), epochs, threads, rank, world, port}.
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "src-workers");
const torch = await import(join(dist, "torch", "index.js"));
const { loadDataset } = await import(join(dist, "yolo", "data", "dataset.js"));
const { createLoader } = await import(join(dist, "yolo", "data", "loader.js"));
const { Callbacks } = await import(join(dist, "yolo", "engine", "callbacks.js"));
const { DataParallel } = await import(join(dist, "yolo", "engine", "data-parallel.js"));
const { Trainer } = await import(join(dist, "yolo", "engine", "trainer.js"));
const { DetectionModel } = await import(join(dist, "yolo", "model", "detection-model.js"));

const s = JSON.parse(process.argv[2]);
torch.setNumThreads(s.threads);
const ds = await loadDataset({ dataYaml: s.data, split: "train" });
torch.manualSeed(0);
const model = new DetectionModel({ scale: "n", nc: ds.names.length, names: ds.names });
// Decoded images cached: the first epoch decodes, the timed ones measure training and batching.
const train = createLoader(ds, { imgsz: s.imgsz, batch: s.batch / s.world, train: true, seed: 0, epochs: s.epochs,
  workers: 0, cache: true, rank: s.rank, worldSize: s.world }); // prettier-ignore
const group =
  s.world > 1
    ? await torch.ProcessGroup.init({ backend: "gloo", masterAddr: "127.0.0.1", masterPort: s.port, rank: s.rank,
        worldSize: s.world, timeoutMs: 600_000 }) // prettier-ignore
    : null;
const ddp = group ? new DataParallel(group, "cpu") : null;
const cb = new Callbacks();
const epochSeconds = [];
const epochCpuMs = []; // this process's CPU time (all its threads): comparable when the machine is busy
let t0 = 0;
let c0 = process.cpuUsage();
cb.on("on_train_epoch_start", () => {
  t0 = performance.now();
  c0 = process.cpuUsage();
});
cb.on("on_train_epoch_end", () => {
  epochSeconds.push((performance.now() - t0) / 1000);
  const c = process.cpuUsage(c0);
  epochCpuMs.push((c.user + c.system) / 1000);
});
const saveDir = join(s.out, `rank${s.rank}`);
const trainer = new Trainer({ model, train, val: null, saveDir, callbacks: cb, ddp,
  args: { imgsz: s.imgsz, batch: s.batch, nbs: s.batch, epochs: s.epochs, warmup_epochs: 0, workers: 0 } }); // prettier-ignore
await trainer.train();
// The gradient allreduce alone (yolo11n: every trained parameter's gradient, bucketed), averaged over 10.
let allreduceMs = null;
if (ddp) {
  const params = model.parameters();
  await ddp.reduceGradients(params);
  const t = performance.now();
  for (let k = 0; k < 10; k++) await ddp.reduceGradients(params);
  allreduceMs = (performance.now() - t) / 10;
}
const timed = epochSeconds.slice(1); // epoch 0 decodes the images and warms up
const cpuMs = epochCpuMs.slice(1).reduce((a, b) => a + b, 0) / timed.length;
const images = train.batchesPerEpoch * s.batch; // global images per epoch (the shards are padded equal)
const params = model
  .parameters()
  .filter((p) => p.requiresGrad)
  .reduce((n, p) => n + p.numel, 0);
const secs = timed.reduce((a, b) => a + b, 0) / timed.length;
process.stdout.write(`${JSON.stringify({ imagesPerS: images / secs, epochSeconds: secs, cpuMsPerEpoch: cpuMs, images, allreduceMs, params, steps: train.batchesPerEpoch })}\n`); // prettier-ignore
group?.destroy();
await train.close();
process.exit(0);
