/**
 * `azaion train`: train a YOLO11 detector on a data.yaml, or, without --data, on a dataset formed from the
 * data root's augmented set (data-processed -> datasets/azaion-YYYY-MM-DD). Writes runs/<name>/ under the
 * root: weights/last|best.safetensors (+ the resumable train state), results.csv, results.png, args.yaml,
 * and at the end the validation of best: tables, confusion matrix, PR/F1 curves.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { extname, join, resolve } from "node:path";
import type { Command } from "commander";
import { DataError, UsageError } from "../../core/errors.js";
import { dataRootLayout } from "../../core/layout.js";
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { decideCache, type CacheMode } from "../../yolo/data/cache-budget.js";
import { createLoader } from "../../yolo/data/loader.js";
import { autoBatch } from "../../yolo/engine/autobatch.js";
import { Callbacks } from "../../yolo/engine/callbacks.js";
import type { DataParallel } from "../../yolo/engine/data-parallel.js";
import { loadTrainState } from "../../yolo/engine/checkpoint.js";
import { OPTIMIZERS, type TrainArgs } from "../../yolo/engine/defaults.js";
import { Trainer } from "../../yolo/engine/trainer.js";
import { readUltralyticsCheckpoint } from "../../yolo/io/pt-checkpoint.js";
import { loadWeights } from "../../yolo/io/weights.js";
import { DetectionModel } from "../../yolo/model/detection-model.js";
import { SCALES, type Scale } from "../../yolo/model/spec.js";
import type { CliContext } from "../context.js";
import { formTrainingDataset } from "./dataset-form.js";
import { bool, evaluate, loadSplit, num, parseArgs } from "./train-common.js";
import { emitTrainResult, MAX_SAMPLES, trainEventCallbacks } from "./train-events.js";
import { addDistributedOptions, prepareWorker, distributedRole, joinGroup, launchTraining, workerDevice, type DistributedFlags } from "./train-distributed.js"; // prettier-ignore

export { registerVal } from "./val.js";

interface TrainFlags extends DistributedFlags {
  readonly data?: string;
  readonly model: string;
  readonly weights?: string;
  readonly epochs?: string;
  readonly imgsz?: string;
  readonly batch?: string;
  readonly workers?: string;
  readonly optimizer?: string;
  readonly lr0?: string;
  readonly patience?: string;
  readonly seed?: string;
  readonly name: string;
  readonly resume?: boolean;
  readonly threads?: string;
  readonly device?: string;
  readonly amp?: string;
  readonly cache?: string;
  readonly samples: string;
}

/** Pretrained tensors whose shapes fit the model (Ultralytics' intersect_dicts): a new head keeps its init. */
async function pretrained(file: string): Promise<Map<string, Tensor>> {
  if (extname(file).toLowerCase() === ".pt") return readUltralyticsCheckpoint(file).stateDict;
  return (await loadWeights(file)).stateDict;
}

function transfer(model: DetectionModel, sd: Map<string, Tensor>): { loaded: number; skipped: string[] } {
  const own = model.stateDict();
  const fits = (k: string, t: Tensor) => own.get(k)?.shape.join(",") === t.shape.join(",");
  const fit = new Map([...sd].filter(([k, t]) => fits(k, t)));
  const skipped = [...sd].filter(([k, t]) => own.has(k) && !fits(k, t)).map(([k]) => k);
  model.loadStateDict(fit, { strict: false });
  for (const t of sd.values()) t.dispose();
  return { loaded: fit.size, skipped };
}

function cacheMode(text: string | undefined): CacheMode | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (t === "auto") return "auto";
  if (t === "true" || t === "ram") return true;
  if (t === "false") return false;
  throw new UsageError(`--cache ${text}: expected true (or ram), false or auto`);
}

interface Plan {
  readonly run: TrainArgs;
  /** On resume, only what it may change (epochs, device, data); a new run passes its (resolved) args. */
  readonly trainerArgs: Readonly<Record<string, unknown>>;
  readonly resume: string | null;
  readonly model: { scale: Scale; nc: number | null; names: string[] | null };
}

/** The run to do: a new one from the flags, or the saved one of --resume with epochs/device/data changed. */
async function plan(f: TrainFlags, saveDir: string, ctx: CliContext, main = true): Promise<Plan> {
  const statePath = join(saveDir, "weights", "last.state.safetensors");
  const amp = bool("--amp", f.amp);
  const given = {
    epochs: num("--epochs", f.epochs),
    imgsz: num("--imgsz", f.imgsz),
    batch: num("--batch", f.batch),
    workers: num("--workers", f.workers),
    optimizer: f.optimizer,
    lr0: num("--lr0", f.lr0, false),
    patience: num("--patience", f.patience),
    seed: num("--seed", f.seed),
    device: f.device,
    amp,
    cache: cacheMode(f.cache),
  };
  if (f.resume) {
    if (!existsSync(statePath)) throw new UsageError(`--resume: ${statePath} does not exist`);
    const st = await loadTrainState(statePath);
    const saved = { args: st.args, info: st.modelInfo };
    st.dispose();
    const change = Object.fromEntries(
      // The cache changes no pixel, so a resumed run may turn it on or off.
      Object.entries({ epochs: given.epochs, device: given.device, cache: given.cache }).filter(
        ([, v]) => v !== undefined,
      ),
    );
    let data = saved.args.data;
    if (f.data !== undefined) {
      if (data !== resolve(f.data))
        ctx.info(`resuming on --data ${resolve(f.data)} (the run used ${data ?? "-"})`);
      data = resolve(f.data);
    }
    if (data === null) throw new UsageError("--resume: the run recorded no data.yaml; give --data");
    return {
      run: parseArgs({ ...saved.args, ...change, data }),
      trainerArgs: { ...change, data },
      resume: statePath,
      model: { scale: saved.info.scale as Scale, nc: saved.info.nc, names: saved.info.names },
    };
  }
  // Ranks other than 0 start while rank 0 may already have made it.
  if (main && existsSync(join(saveDir, "weights")))
    throw new UsageError(`${saveDir} already holds a run; give another --name or --resume it`);
  if (!SCALES.includes(f.model as Scale))
    throw new UsageError(`--model ${f.model}: expected ${SCALES.join(", ")}`);
  const check = parseArgs(given); // bad flags fail before a dataset is formed
  const data = f.data !== undefined ? resolve(f.data) : await formTrainingDataset(ctx);
  if (amp === true && !check.device.startsWith("cuda"))
    ctx.info(`--amp: mixed precision is for CUDA devices; training in float32 on ${check.device}`);
  const run = parseArgs({ ...given, data });
  return { run, trainerArgs: run, resume: null, model: { scale: f.model as Scale, nc: null, names: null } };
}

export function registerTrain(program: Command, ctx: CliContext): void {
  program
    .command("train")
    .description(
      "train a YOLO11 detector; without --data on a dataset formed from <root>/data-processed; writes runs/<name>/",
    )
    .option(
      "--data <data.yaml>",
      "Ultralytics dataset file (default: split <root>/data-processed into datasets/)",
    )
    .option("--model <scale>", `model size: ${SCALES.join("|")}`, "n")
    .option(
      "--weights <file>",
      "start from these weights (.safetensors or Ultralytics .pt); tensors that fit are loaded",
    )
    .option("--epochs <n>", "epochs (with --resume: a larger number trains longer)")
    .option("--imgsz <px>", "training image size, a multiple of 32 (default 640)")
    .option("--batch <n>", "images per batch, -1 for the largest that fits the GPU (default 16)")
    .option("--workers <n>", "data loader threads (default 8)")
    .option("--optimizer <name>", `${OPTIMIZERS.join("|")} (default auto)`)
    .option("--lr0 <x>", "initial learning rate (ignored by --optimizer auto)")
    .option("--patience <n>", "epochs without improvement before stopping (default 100)")
    .option("--seed <n>", "random seed (default 0)")
    .option("--name <name>", "run folder name under runs/", "train")
    .option("--resume", "continue runs/<name> from its last checkpoint")
    .option("--threads <n>", "CPU threads for libtorch")
    .option("--device <name>", "cpu, cuda or cuda:N (default cpu; with --resume: the run's device)")
    .option("--amp <bool>", "mixed precision on CUDA: true|false (default true; no effect on the CPU)")
    .option(
      "--cache <mode>",
      "keep decoded, resized images in RAM (each loader thread its own copy; the same results, faster " +
        "epochs): true|false|auto (default auto: when they fit a quarter of the available memory)",
    )
    .option(
      "--samples <n>",
      `after each epoch, draw the model's predictions on the first n validation images into runs/<name>/samples/ (0-${MAX_SAMPLES})`,
      "0",
    )
    .action(async (f: TrainFlags) => {
      const samples = num("--samples", f.samples) ?? 0;
      if (samples < 0 || samples > MAX_SAMPLES)
        throw new UsageError(`--samples ${f.samples}: expected 0-${MAX_SAMPLES}`);
      const role = distributedRole(f, process.env);
      if (role.kind === "launcher") return void (process.exitCode = await launchTraining(role, f, ctx));
      const worker = role.kind === "worker" ? prepareWorker(role, f) : null;
      const main = worker === null || worker.rank === 0;
      const threads = num("--threads", f.threads);
      if (threads !== undefined) torch.setNumThreads(threads);
      if (f.name === "" || /[/\\]|^\.\.?$/.test(f.name))
        throw new UsageError(`--name "${f.name}": expected a plain folder name`);
      const saveDir = join(dataRootLayout(ctx.config().root).runs, f.name);
      const p = await plan(f, saveDir, ctx, main);
      let run = p.run;
      if (worker) run = parseArgs({ ...run, device: workerDevice(worker, run) });
      const data = run.data!;
      const trainDs = await loadSplit(data, "train", p.model.nc ?? undefined, ctx);
      const nc = p.model.nc ?? trainDs.names.length;
      if (nc < 1) throw new DataError("data.yaml names no classes", data);
      const valDs = await loadSplit(data, "val", nc, ctx);
      const names = p.model.names ?? trainDs.names;
      if (run.batch === -1) {
        // Probing trains a throwaway model: it must not touch the real one's BatchNorm statistics.
        const probe = new DetectionModel({ scale: p.model.scale, nc, names });
        try {
          const r = autoBatch(probe, run.device, run.imgsz);
          ctx.info(`AutoBatch: ${r.notice}`);
          run = parseArgs({ ...run, batch: r.batch });
        } finally {
          probe.dispose();
        }
      }
      torch.manualSeed(run.seed);
      const model = new DetectionModel({ scale: p.model.scale, nc, names });
      const hyp = { mosaic: run.mosaic, degrees: run.degrees, translate: run.translate, scale: run.scale, shear: run.shear,
        hsvH: run.hsv_h, hsvS: run.hsv_s, hsvV: run.hsv_v, fliplr: run.fliplr, flipud: run.flipud }; // prettier-ignore
      const cache = decideCache(run.cache, { train: trainDs.items, val: valDs.items, imgsz: run.imgsz,
        threads: Math.min(run.workers, availableParallelism(), run.batch) }); // prettier-ignore
      ctx.info(`image cache: ${cache.reason}`);
      // As Ultralytics: each rank loads batch // world_size images of its shard; args.batch stays global.
      const shard = worker ? { batch: Math.floor(run.batch / worker.worldSize), rank: worker.rank, worldSize: worker.worldSize } : { batch: run.batch }; // prettier-ignore
      const train = createLoader(trainDs, { imgsz: run.imgsz, train: true, seed: run.seed, epochs: run.epochs,
        closeMosaic: run.close_mosaic, hyp, workers: run.workers, cache: cache.cache, ...shard }); // prettier-ignore
      const val = main ? createLoader(valDs, { imgsz: run.imgsz, batch: run.batch * 2, train: false,
        workers: run.workers, cache: cache.cache }) : null; // prettier-ignore
      let ddp: DataParallel | null = null;
      try {
        if (f.weights !== undefined && !p.resume) {
          const t = transfer(model, await pretrained(resolve(f.weights)));
          ctx.info(`transferred ${t.loaded}/${model.stateDict().size} tensors from ${f.weights}`);
          if (t.skipped.length > 0)
            ctx.info(`skipped ${t.skipped.length} tensors whose shapes differ (e.g. another nc): ${t.skipped.slice(0, 6).join(", ")}${t.skipped.length > 6 ? ", ..." : ""}`); // prettier-ignore
        }
        const cb = progressCallbacks(ctx, run, train.batchesPerEpoch);
        ddp = worker ? await joinGroup(worker, run.device) : null;
        // Events for the UI come from rank 0 only (the others would repeat them).
        if (main)
          trainEventCallbacks(cb, { saveDir, valFiles: valDs.items.map((it) => it.file), samples, imgsz: run.imgsz,
            device: run.device, catalog: ctx.catalog(), info: (t) => ctx.info(t) }); // prettier-ignore
        const trainer = new Trainer({ model, train, val, saveDir, callbacks: cb, args: p.resume ? p.trainerArgs : run,
          ...(p.resume ? { resume: p.resume } : {}), source: f.weights ?? `yolo11${model.scale}`, ddp }); // prettier-ignore
        const onSigint = () => {
          ctx.info("stopping after this epoch (its checkpoint can be resumed); Ctrl+C again to abort");
          trainer.requestStop();
          process.once("SIGINT", () => process.exit(130));
        };
        process.once("SIGINT", onSigint);
        const r = await trainer.train().finally(() => process.off("SIGINT", onSigint));
        if (!main || !val) return; // rank 0 reports and validates
        ctx.out(
          `train: ${r.epochsRun} epochs${r.earlyStop ? " (early stop)" : ""}, best mAP50-95 ${r.bestFitness?.toFixed(4) ?? "-"}` +
            ` at epoch ${r.bestEpoch === null ? "-" : r.bestEpoch + 1} -> ${saveDir}`,
        );
        emitTrainResult(saveDir, r.best, r.last);
        // As Ultralytics' final_eval: validate best with every output into the run folder.
        const { loadDetector } = await import("../../yolo/predict/load.js");
        const best = await loadDetector(r.best, { fuse: true });
        try {
          if (run.device !== "cpu") best.model.to(run.device);
          await evaluate(ctx, best.model, val, { conf: run.conf ?? 0.001, iou: run.iou, maxDet: run.max_det,
            dir: saveDir, label: "val best" }); // prettier-ignore
        } finally {
          best.model.dispose();
        }
      } finally {
        ddp?.group.destroy();
        model.dispose();
        await train.close();
        await val?.close();
      }
    });
  addDistributedOptions(program.commands.find((c) => c.name() === "train")!);
}

function progressCallbacks(ctx: CliContext, run: TrainArgs, batches: number): Callbacks {
  const cb = new Callbacks();
  let bar: ReturnType<CliContext["progress"]> | null = null;
  cb.on(
    "on_train_epoch_start",
    (e) => void (bar = ctx.progress(`epoch ${e.epoch + 1}/${run.epochs}`, batches, "batch")),
  );
  cb.on("on_train_batch_end", () => bar?.tick());
  cb.on("on_train_epoch_end", () => bar?.finish());
  cb.on("on_fit_epoch_end", (e) => {
    const r = e.row;
    ctx.info(
      `epoch ${r.epoch}/${run.epochs}: loss box ${r["train/box_loss"].toFixed(4)} cls ${r["train/cls_loss"].toFixed(4)} dfl ${r["train/dfl_loss"].toFixed(4)}` +
        ` | P ${r["metrics/precision(B)"].toFixed(3)} R ${r["metrics/recall(B)"].toFixed(3)} mAP50 ${r["metrics/mAP50(B)"].toFixed(3)} mAP50-95 ${r["metrics/mAP50-95(B)"].toFixed(3)} (${e.epochSeconds.toFixed(1)} s)`,
    );
  });
  return cb;
}
