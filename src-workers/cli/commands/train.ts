/**
 * `azaion train` and `azaion val`: train a YOLO11 detector on a data.yaml (runs/<name>/ under the config
 * root: weights/last|best.safetensors, results.csv, args.yaml) and validate weights on a split.
 */
import { existsSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import type { Command } from "commander";
import { DataError, UsageError } from "../../core/errors.js";
import { dataRootLayout } from "../../core/layout.js";
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { loadDataset, type Dataset } from "../../yolo/data/dataset.js";
import { createLoader } from "../../yolo/data/loader.js";
import { Callbacks } from "../../yolo/engine/callbacks.js";
import { OPTIMIZERS, checkDevice, trainArgs, type TrainArgs } from "../../yolo/engine/defaults.js";
import { Trainer } from "../../yolo/engine/trainer.js";
import { validate } from "../../yolo/engine/validator.js";
import { readUltralyticsCheckpoint } from "../../yolo/io/pt-checkpoint.js";
import { loadWeights } from "../../yolo/io/weights.js";
import { DetectionModel } from "../../yolo/model/detection-model.js";
import { SCALES, type Scale } from "../../yolo/model/spec.js";
import type { CliContext } from "../context.js";

interface TrainFlags {
  readonly data: string;
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
}

function num(flag: string, text: string | undefined, int = true): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(n) || (int && !Number.isInteger(n)))
    throw new UsageError(`${flag} ${text}: expected ${int ? "a whole number" : "a number"}`);
  return n;
}

/** Parsed args whose device is there; a bad one is a UsageError. */
function args(o: Readonly<Record<string, unknown>>): TrainArgs {
  try {
    const a = trainArgs(o);
    checkDevice(a.device);
    return a;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

async function split(
  data: string,
  which: "train" | "val" | "test",
  nc: number | undefined,
  ctx: CliContext,
): Promise<Dataset> {
  const ds = await loadDataset({ dataYaml: data, split: which }, nc === undefined ? {} : { nc });
  for (const p of ds.problems.slice(0, 20)) ctx.info(`${which}: ${p.file}: ${p.message}`);
  if (ds.problems.length > 20) ctx.info(`${which}: ${ds.problems.length - 20} more problems`);
  if (ds.items.length === 0) throw new DataError(`the ${which} split has no usable images`, data);
  return ds;
}

/** Pretrained tensors whose shapes fit the model (Ultralytics' intersect_dicts): a new head keeps its init. */
async function pretrained(file: string): Promise<Map<string, Tensor>> {
  if (extname(file).toLowerCase() === ".pt") return readUltralyticsCheckpoint(file).stateDict;
  return (await loadWeights(file)).stateDict;
}

function transfer(model: DetectionModel, sd: Map<string, Tensor>): number {
  const own = model.stateDict();
  const fit = new Map([...sd].filter(([k, t]) => own.get(k)?.shape.join(",") === t.shape.join(",")));
  model.loadStateDict(fit, { strict: false });
  for (const t of sd.values()) t.dispose();
  return fit.size;
}

export function registerTrain(program: Command, ctx: CliContext): void {
  program
    .command("train")
    .description("train a YOLO11 detector on a dataset; writes runs/<name>/ under the data root")
    .requiredOption("--data <data.yaml>", "Ultralytics dataset file (train and val splits, names)")
    .option("--model <scale>", `model size: ${SCALES.join("|")}`, "n")
    .option(
      "--weights <file>",
      "start from these weights (.safetensors or Ultralytics .pt); tensors that fit are loaded",
    )
    .option("--epochs <n>", "epochs (with --resume: a larger number trains longer)")
    .option("--imgsz <px>", "training image size, a multiple of 32 (default 640)")
    .option("--batch <n>", "images per batch (default 16)")
    .option("--workers <n>", "data loader threads (default 8)")
    .option("--optimizer <name>", `${OPTIMIZERS.join("|")} (default auto)`)
    .option("--lr0 <x>", "initial learning rate (ignored by --optimizer auto)")
    .option("--patience <n>", "epochs without improvement before stopping (default 100)")
    .option("--seed <n>", "random seed (default 0)")
    .option("--name <name>", "run folder name under runs/", "train")
    .option("--resume", "continue runs/<name> from its last checkpoint")
    .option("--threads <n>", "CPU threads for libtorch")
    .option("--device <name>", "cpu, cuda or cuda:N (default cpu; with --resume: the run's device)")
    .action(async (f: TrainFlags) => {
      const threads = num("--threads", f.threads);
      if (threads !== undefined) torch.setNumThreads(threads);
      if (!SCALES.includes(f.model as Scale))
        throw new UsageError(`--model ${f.model}: expected ${SCALES.join(", ")}`);
      const saveDir = join(dataRootLayout(ctx.config().root).runs, f.name);
      const statePath = join(saveDir, "weights", "last.state.safetensors");
      if (f.resume && !existsSync(statePath)) throw new UsageError(`--resume: ${statePath} does not exist`);
      if (!f.resume && existsSync(join(saveDir, "weights")))
        throw new UsageError(`${saveDir} already holds a run; give another --name or --resume it`);
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
      };
      const a = f.resume ? null : args(given);
      let state: { args: TrainArgs; nc: number; scale: Scale; names: string[] } | null = null;
      if (f.resume) {
        const { loadTrainState } = await import("../../yolo/engine/checkpoint.js");
        const st = await loadTrainState(statePath);
        state = {
          args: st.args,
          nc: st.modelInfo.nc,
          scale: st.modelInfo.scale as Scale,
          names: st.modelInfo.names,
        };
        st.dispose();
      }
      const resumeGiven = Object.fromEntries(
        Object.entries({ epochs: given.epochs, device: given.device }).filter(([, v]) => v !== undefined),
      );
      const run = state ? args({ ...state.args, ...resumeGiven }) : a!;
      const data = resolve(f.data);
      const trainDs = await split(data, "train", state?.nc, ctx);
      const valDs = await split(data, "val", state?.nc ?? (trainDs.names.length || undefined), ctx);
      const nc = state?.nc ?? trainDs.names.length;
      if (nc < 1) throw new DataError("data.yaml names no classes", data);
      torch.manualSeed(run.seed);
      const model = new DetectionModel({
        scale: state?.scale ?? (f.model as Scale),
        nc,
        names: state?.names ?? trainDs.names,
      });
      const hyp = { mosaic: run.mosaic, degrees: run.degrees, translate: run.translate, scale: run.scale, shear: run.shear,
        hsvH: run.hsv_h, hsvS: run.hsv_s, hsvV: run.hsv_v, fliplr: run.fliplr, flipud: run.flipud }; // prettier-ignore
      const train = createLoader(trainDs, { imgsz: run.imgsz, batch: run.batch, train: true, seed: run.seed,
        epochs: run.epochs, closeMosaic: run.close_mosaic, hyp, workers: run.workers }); // prettier-ignore
      const val = createLoader(valDs, {
        imgsz: run.imgsz,
        batch: run.batch * 2,
        train: false,
        workers: run.workers,
      });
      try {
        if (f.weights !== undefined && !state) {
          const n = transfer(model, await pretrained(resolve(f.weights)));
          ctx.info(`transferred ${n}/${model.stateDict().size} tensors from ${f.weights}`);
        }
        const cb = new Callbacks();
        let bar: ReturnType<CliContext["progress"]> | null = null;
        cb.on(
          "on_train_epoch_start",
          (e) =>
            void (bar = ctx.progress(`epoch ${e.epoch + 1}/${run.epochs}`, train.batchesPerEpoch, "batch")),
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
        const trainer = new Trainer({ model, train, val, saveDir, callbacks: cb, args: f.resume ? resumeGiven : run,
          ...(f.resume ? { resume: statePath } : {}), source: f.weights ?? `yolo11${model.scale}` }); // prettier-ignore
        const onSigint = () => {
          ctx.info("stopping after this epoch (its checkpoint can be resumed); Ctrl+C again to abort");
          trainer.requestStop();
          process.once("SIGINT", () => process.exit(130));
        };
        process.once("SIGINT", onSigint);
        const r = await trainer.train().finally(() => process.off("SIGINT", onSigint));
        ctx.out(
          `train: ${r.epochsRun} epochs${r.earlyStop ? " (early stop)" : ""}, best mAP50-95 ${r.bestFitness?.toFixed(4) ?? "-"}` +
            ` at epoch ${r.bestEpoch === null ? "-" : r.bestEpoch + 1} -> ${saveDir}`,
        );
      } finally {
        model.dispose();
        await train.close();
        await val.close();
      }
    });
}

interface ValFlags {
  readonly data: string;
  readonly split: "train" | "val" | "test";
  readonly imgsz: string;
  readonly batch: string;
  readonly conf: string;
  readonly iou: string;
  readonly workers: string;
  readonly device: string;
}

export function registerVal(program: Command, ctx: CliContext): void {
  program
    .command("val")
    .description("validate detector weights on a dataset split: precision, recall, mAP50, mAP50-95")
    .argument("<weights>", "our weights (.safetensors) or an Ultralytics checkpoint (.pt)")
    .requiredOption("--data <data.yaml>", "Ultralytics dataset file")
    .option("--split <name>", "train|val|test", "val")
    .option("--imgsz <px>", "image size, a multiple of 32", "640")
    .option("--batch <n>", "images per batch", "32")
    .option("--conf <x>", "least confidence kept", "0.001")
    .option("--iou <x>", "NMS IoU threshold", "0.7")
    .option("--workers <n>", "data loader threads", "8")
    .option("--device <name>", "cpu, cuda or cuda:N", "cpu")
    .action(async (weights: string, f: ValFlags) => {
      if (!["train", "val", "test"].includes(f.split))
        throw new UsageError(`--split ${f.split}: expected train, val or test`);
      const v = args({ imgsz: num("--imgsz", f.imgsz), batch: num("--batch", f.batch), conf: num("--conf", f.conf, false),
        iou: num("--iou", f.iou, false), workers: num("--workers", f.workers), device: f.device }); // prettier-ignore
      const { loadDetector } = await import("../../yolo/predict/load.js");
      const d = await loadDetector(resolve(weights), { fuse: true });
      if (v.device !== "cpu") d.model.to(v.device);
      const ds = await split(resolve(f.data), f.split, d.nc, ctx);
      const src = createLoader(ds, { imgsz: v.imgsz, batch: v.batch, train: false, workers: v.workers });
      try {
        const bar = ctx.progress("val", src.batchesPerEpoch, "batch");
        const r = await validate(d.model, src, {
          conf: v.conf ?? 0.001,
          iou: v.iou,
          maxDet: v.max_det,
          onBatch: () => bar.tick(),
        });
        bar.finish();
        const m = r.metrics;
        ctx.out(`${"class".padEnd(20)} images instances      P      R  mAP50  mAP50-95`);
        const line = (name: string, im: number, n: number, p: number, rc: number, a50: number, a: number) =>
          `${name.padEnd(20)} ${String(im).padStart(6)} ${String(n).padStart(9)} ${[p, rc, a50, a].map((x) => x.toFixed(3).padStart(6)).join(" ")}`; // prettier-ignore
        ctx.out(
          line(
            "all",
            r.images,
            m.ntPerClass.reduce((s, x) => s + x, 0),
            m.mp,
            m.mr,
            m.map50,
            m.map,
          ),
        );
        for (const c of m.perClass) ctx.out(line(c.name, c.images, c.instances, c.p, c.r, c.ap50, c.ap50_95));
      } finally {
        d.model.dispose();
        await src.close();
      }
    });
}
