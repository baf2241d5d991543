/**
 * The training loop, as Ultralytics' BaseTrainer._do_train (8.3.253) for one process: warmup per
 * iteration, optimizer step every `accumulate` batches (grad-norm clip 10), EMA, LR factor per epoch,
 * mixed precision on CUDA (float16 autocast for the forward, loss in float32, GradScaler),
 * validation of the EMA model, fitness = mAP50-95, last/best checkpoints, patience, events.
 * With `ddp` one rank of distributed data-parallel training (data-parallel.ts): gradients summed over
 * the ranks before each step; EMA, validation, checkpoints, results and plots on rank 0 only.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import * as torch from "../../torch/index.js";
import type { BatchSource } from "../data/types.js";
import { saveWeights } from "../io/weights.js";
import { DetectionLoss } from "../loss/detection-loss.js";
import type { DetectionModel } from "../model/detection-model.js";
import { ModelEMA } from "../model/ema.js";
import { BatchNorm2d } from "../nn/layers.js";
import { Callbacks } from "./callbacks.js";
import {
  checkModel,
  loadTrainState,
  resumedArgs,
  saveTrainState,
  weightsMeta,
  type TrainProgress,
} from "./checkpoint.js";
import type { DataParallel, Loss3 } from "./data-parallel.js";
import { checkDevice, trainArgs } from "./defaults.js";
import { GradScaler, optimizerStep } from "./grad-scaler.js";
import { buildOptimizer } from "./optimizer.js";
import { plotResults } from "./results-plot.js";
import { resultsRow, writeArgsYaml, writeResults, type ResultsRow } from "./results.js";
import { lrLambda, warmupIterations, warmupValues } from "./schedule.js";
import { validate, type ValidationResult } from "./validator.js";

export interface TrainerOptions {
  /** Trained in place; build it (and seed torch) before. */
  readonly model: DetectionModel;
  readonly train: BatchSource;
  /** Without one, nothing is validated and best is the last epoch. */
  readonly val?: BatchSource | null;
  /** Overrides of DEFAULT_TRAIN_ARGS; on resume only `epochs` (to extend), `device` and `data` are read. */
  readonly args?: Readonly<Record<string, unknown>>;
  /** Run folder: weights/, results.csv, args.yaml. */
  readonly saveDir: string;
  readonly callbacks?: Callbacks;
  /** A weights/last.state.safetensors to continue from. */
  readonly resume?: string;
  /** Recorded in the weights' metadata. */
  readonly source?: string;
  /**
   * This process's rank in data-parallel training; `train` then gives this rank's shard with the per-rank
   * batch, while args.batch stays the global batch (accumulation, weight decay and warmup follow it).
   */
  readonly ddp?: DataParallel | null;
  /**
   * BatchNorm layers normalise with their running statistics (eval mode) while everything trains: a
   * batch then has the same gradient however it is split over ranks (the data-parallel equality tests).
   */
  readonly batchNormEval?: boolean;
}

export interface TrainResult {
  readonly last: string;
  readonly best: string;
  readonly bestFitness: number | null;
  readonly bestEpoch: number | null;
  /** Epochs run by this call, and the last finished epoch (0-based). */
  readonly epochsRun: number;
  readonly lastEpoch: number;
  readonly earlyStop: boolean;
  readonly rows: readonly ResultsRow[];
}

export class Trainer {
  readonly callbacks: Callbacks;
  readonly weightsDir: string;
  private stopRequested = false;

  constructor(private readonly o: TrainerOptions) {
    this.callbacks = o.callbacks ?? new Callbacks();
    this.weightsDir = join(o.saveDir, "weights");
  }

  /** Stop after the current epoch, once its checkpoint is written (it can be resumed). */
  requestStop(): void {
    this.stopRequested = true;
  }

  async train(): Promise<TrainResult> {
    const { model, train, saveDir } = this.o;
    const ddp = this.o.ddp ?? null;
    const main = ddp === null || ddp.isMain;
    const val = main ? this.o.val : null; // only rank 0 validates
    const state = this.o.resume === undefined ? null : await loadTrainState(this.o.resume);
    try {
      const a = state ? resumedArgs(state.args, this.o.args, this.o.resume!) : trainArgs(this.o.args);
      checkDevice(a.device);
      if (a.batch < 1) throw new RangeError("batch -1 must be resolved (autoBatch) before training");
      if (state) checkModel(model, state.modelInfo, this.o.resume!);
      if (state && state.progress.epoch + 1 >= a.epochs)
        throw new RangeError(
          `${this.o.resume!}: training already finished ${a.epochs} epochs; give more epochs to go on`,
        );
      const cb = this.callbacks;
      if (main) await mkdir(this.weightsDir, { recursive: true });
      await cb.emit("on_pretrain_routine_start", { args: a, saveDir });
      if (main) await writeArgsYaml(saveDir, a);
      const nb = train.batchesPerEpoch;
      if (nb < 1) throw new Error("the training source has no batches");
      // The optimizer holds the parameters, so the model moves first (the EMA copies its device).
      if (model.parameters()[0]?.device !== a.device) model.to(a.device);
      const built = buildOptimizer(model, a, model.nc, train.size);
      const opt = built.optimizer;
      const initialLrs = opt.paramGroups.map((g) => g.lr);
      const warm = { ...a, warmup_bias_lr: built.warmupBiasLr };
      const lf = lrLambda(a);
      const nw = warmupIterations(a.warmup_epochs, nb);
      const lossFn = new DetectionLoss({ nc: model.nc, strides: model.stride, gains: a });
      const ema = main ? new ModelEMA(model) : null;
      const amp = a.amp && a.device.startsWith("cuda");
      const scaler = new GradScaler({ enabled: amp });
      try {
        let p: TrainProgress = {
          epoch: -1,
          bestFitness: null,
          bestEpoch: null,
          stopper: { bestFitness: 0, bestEpoch: 0 },
          lastOptStep: -1,
          elapsed: 0,
          rows: [],
        };
        const params = model.parameters();
        if (state) {
          model.loadStateDict(state.model);
          if (ema) {
            ema.ema.loadStateDict(state.ema);
            ema.updates = state.emaUpdates;
          }
          if (state.scaler) scaler.loadStateDict(state.scaler);
          opt.loadStateDict(state.optimizer as never);
          const byName = new Map(model.namedParameters());
          torch.tidy(() => {
            for (const [k, g] of state.grads) byName.get(k)!.grad = g.toDevice(a.device);
          });
          // The saved pending gradient is the sum over the ranks (gatherPendingGradients): rank 0's share.
          if (ddp && !ddp.isMain) ddp.zeroGradients(params);
          p = state.progress;
          state.dispose();
        } else opt.zeroGrad();
        // Every rank starts from rank 0's weights (a fresh model's random init differs per process).
        if (ddp) await ddp.broadcastModel(model);
        const startEpoch = p.epoch + 1;
        let accumulate = built.accumulate;
        let lastOptStep = p.lastOptStep;
        const rows = [...p.rows];
        const t0 = performance.now() / 1000 - p.elapsed;
        await cb.emit("on_train_start", {
          startEpoch,
          epochs: a.epochs,
          batchesPerEpoch: nb,
          optimizer: built.name,
          lr: built.lr,
          accumulate,
          warmupIterations: nw,
        });
        let epoch = startEpoch;
        let earlyStop = false;
        for (; ; epoch++) {
          const tEpoch = performance.now();
          await cb.emit("on_train_epoch_start", { epoch });
          opt.paramGroups.forEach((g, j) => (g.lr = initialLrs[j]! * lf(epoch)));
          torch.manualSeed(a.seed + epoch + 1); // any torch randomness of the epoch replays on resume
          model.train();
          if (this.o.batchNormEval)
            for (const [, m] of model.namedModules()) if (m instanceof BatchNorm2d) m.training = false;
          const sum: Loss3 = [0, 0, 0];
          let i = 0;
          for await (const batch of train.epoch(epoch)) {
            const ni = i + nb * epoch;
            if (ni <= nw) {
              const w = warmupValues(ni, nw, warm, initialLrs, lf(epoch));
              accumulate = w.accumulate;
              opt.paramGroups.forEach((g, j) => {
                g.lr = w.lrs[j]!;
                if ("momentum" in g) g.momentum = w.momentum;
              });
            }
            let items: Loss3;
            let total: torch.Tensor | null = null; // DDP: the loss, kept until the ranks' normaliser is known
            try {
              const f = torch.tidy(() => {
                const images = batch.images.toDevice(a.device);
                // As torch.autocast: float16 where safe in the forward; the loss runs on float32 outputs.
                const raw = torch.withAutocast(amp, () => model.forward(images));
                const preds = amp ? raw.map((t) => t.float()) : raw;
                const r = lossFn.forward(preds, batch.targets.toDevice(a.device));
                if (!ddp) scaler.scaleLoss(r.total).backward();
                const n = images.shape[0]!;
                const kept = ddp ? torch.keep(r.total) : null;
                return { items: r.items.toNumbers() as Loss3, scoresSum: r.targetScoresSum, n, total: kept };
              });
              items = f.items;
              total = f.total;
              if (ddp && total) {
                const g = await ddp.reduceLoss(f.items, f.scoresSum, f.n);
                const t = total;
                torch.tidy(() => scaler.scaleLoss(t.mul(g.scale)).backward());
                items = g.items;
              }
            } finally {
              total?.dispose();
              batch.images.dispose();
              batch.targets.dispose();
            }
            items.forEach((v, k) => (sum[k]! += v));
            i++;
            const stepped = ni - lastOptStep >= accumulate;
            if (stepped) {
              if (ddp) await ddp.reduceGradients(params);
              optimizerStep(params, opt, scaler, 10.0); // skipped on inf/NaN gradients (AMP); EMA updates anyway
              ema?.update(model);
              lastOptStep = ni;
            }
            const meanLoss = sum.map((v) => v / i) as Loss3;
            await cb.emit("on_train_batch_end", {
              epoch,
              batch: i - 1,
              batchesPerEpoch: nb,
              loss: items,
              meanLoss,
              stepped,
            });
          }
          if (i === 0) throw new Error(`the training source gave no batches for epoch ${epoch}`);
          if (ddp && lastOptStep !== nb * epoch + i - 1) await ddp.gatherPendingGradients(params);
          const meanLoss = sum.map((v) => v / i) as Loss3;
          const lr = opt.paramGroups.map((g) => g.lr);
          await cb.emit("on_train_epoch_end", { epoch, meanLoss, lr });

          const final = epoch + 1 >= a.epochs;
          let v: ValidationResult | null = null;
          if (ema && val && (a.val || final))
            v = await validate(ema, val, {
              conf: a.conf ?? 0.001,
              iou: a.iou,
              maxDet: a.max_det,
              loss: lossFn,
            });
          const fitness = v ? v.metrics.fitness : null;
          // As Ultralytics: a zero best is replaced by any fitness; without validation every epoch is best.
          const isBest = fitness === null || !p.bestFitness || p.bestFitness < fitness;
          const stopper = { ...p.stopper };
          if (fitness !== null && (fitness > stopper.bestFitness || stopper.bestFitness === 0))
            Object.assign(stopper, { bestFitness: fitness, bestEpoch: epoch + 1 });
          const elapsed = performance.now() / 1000 - t0;
          rows.push(resultsRow(epoch, elapsed, meanLoss, v && { ...v.metrics, loss: v.loss }, lr));
          p = {
            epoch,
            bestFitness: isBest ? fitness : p.bestFitness,
            bestEpoch: isBest ? epoch : p.bestEpoch,
            stopper,
            lastOptStep,
            elapsed,
            rows: [...rows],
          };
          earlyStop = fitness !== null && epoch + 1 - stopper.bestEpoch >= a.patience;
          let stop = earlyStop || final || this.stopRequested;
          if (ddp) stop = await ddp.agree(stop); // rank 0's decision (only it validates; its SIGINT counts)
          // Only rank 0 (the one with the EMA) writes.
          if (ema) {
            await writeResults(saveDir, rows);
            await plotResults(saveDir, rows);
            const meta = weightsMeta(a, model, v?.metrics.resultsDict ?? {}, this.o.source ?? "azaion train");
            await saveTrainState(join(this.weightsDir, "last.state.safetensors"), {
              model,
              ema,
              optimizer: opt,
              optimizerName: built.name,
              scaler: scaler.stateDict(),
              args: a,
              progress: p,
            });
            const last = join(this.weightsDir, "last.safetensors");
            const best = join(this.weightsDir, "best.safetensors");
            await saveWeights(last, ema.ema.stateDict(), meta);
            if (isBest) await saveWeights(best, ema.ema.stateDict(), meta);
            await cb.emit("on_model_save", { epoch, last, best: isBest ? best : null, ema: ema.ema });
          }
          await cb.emit("on_fit_epoch_end", {
            epoch,
            row: rows[rows.length - 1]!,
            fitness,
            bestFitness: p.bestFitness,
            epochSeconds: (performance.now() - tEpoch) / 1000,
          });
          // A stop asked for by an on_fit_epoch_end listener counts now; with ddp at the next agreement.
          if (stop || (!ddp && this.stopRequested)) break;
        }
        const result: TrainResult = {
          last: join(this.weightsDir, "last.safetensors"),
          best: join(this.weightsDir, "best.safetensors"),
          bestFitness: p.bestFitness,
          bestEpoch: p.bestEpoch,
          epochsRun: epoch - startEpoch + 1,
          lastEpoch: p.epoch,
          earlyStop,
          rows,
        };
        await cb.emit("on_train_end", { ...result });
        return result;
      } finally {
        ema?.dispose();
        opt.dispose();
      }
    } catch (e) {
      state?.dispose();
      throw e;
    }
  }
}
