#!/usr/bin/env node
// GPU training check (run by scripts/gpu-check.sh with --train): yolo11n trained from scratch at 640 px
// for 3 epochs on cuda:0 with the real Trainer, on a synthetic in-memory dataset (coloured rectangles,
// the engine tests' source, so no image decoding is involved). Prints images/s per epoch, the
// results rows and the CUDA memory peak.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as torch from "../../dist/src-workers/torch/index.js";
import { Callbacks } from "../../dist/src-workers/yolo/engine/callbacks.js";
import { syntheticSource } from "../../dist/src-workers/yolo/engine/synthetic.test-support.js";
import { Trainer } from "../../dist/src-workers/yolo/engine/trainer.js";
import { DetectionModel } from "../../dist/src-workers/yolo/model/detection-model.js";

const DEV = process.env.AZAION_GPU_DEVICE ?? "cuda:0";
const IMGSZ = Number(process.env.GPU_TRAIN_IMGSZ ?? 640);
const EPOCHS = Number(process.env.GPU_TRAIN_EPOCHS ?? 3);
const BATCH = 16;
const TRAIN_IMAGES = 320;

torch.manualSeed(0);
const model = new DetectionModel({ scale: "n", nc: 3 });
const train = syntheticSource({
  images: TRAIN_IMAGES,
  batch: BATCH,
  imgsz: IMGSZ,
  nc: 3,
  seed: 1,
  shuffle: true,
});
const val = syntheticSource({ images: 64, batch: BATCH, imgsz: IMGSZ, nc: 3, seed: 2 });
const callbacks = new Callbacks();
let epochStart = 0;
callbacks.on("on_train_epoch_start", () => {
  if (DEV.startsWith("cuda")) torch.cuda.synchronize();
  epochStart = performance.now();
});
callbacks.on("on_train_epoch_end", () => {
  if (DEV.startsWith("cuda")) torch.cuda.synchronize();
  const s = (performance.now() - epochStart) / 1000;
  console.log(`train epoch: ${s.toFixed(1)} s, ${(TRAIN_IMAGES / s).toFixed(1)} images/s`);
});
const saveDir = mkdtempSync(join(tmpdir(), "azaion-gpu-train-"));
const trainer = new Trainer({
  model,
  train,
  val,
  saveDir,
  callbacks,
  args: { device: DEV, epochs: EPOCHS, batch: BATCH, imgsz: IMGSZ, workers: 0, warmup_epochs: 1 },
});
const t0 = performance.now();
const result = await trainer.train();
console.log(
  `trained ${result.epochsRun} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${saveDir}`,
);
for (const row of result.rows) console.log(JSON.stringify(row));
if (DEV.startsWith("cuda")) console.log("cuda memory:", JSON.stringify(torch.cuda.memoryStats(0)));
const losses = result.rows.map((r) => r["train/box_loss"] + r["train/cls_loss"] + r["train/dfl_loss"]);
const ok = result.epochsRun === EPOCHS && losses.every(Number.isFinite) && losses.at(-1) < losses[0];
console.log(
  `\ngpu-train: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed (loss ${losses.map((l) => l.toFixed(3)).join(" -> ")})`,
);
process.exitCode = ok ? 0 : 1;
