/**
 * What `azaion train` tells a job's host (host/event-sink.ts: nothing unless it runs in a worker) and
 * the sample predictions it draws after each epoch with --samples n: the EMA model just saved, on the
 * first n validation images, into runs/<name>/samples/epoch<k>_<i>.jpg. The drawing only reads the
 * model (eval mode, no grad) and draws no random numbers, so a run's results are the same with and
 * without samples.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import type { ClassCatalog } from "../../core/classes.js";
import { decodeRgb } from "../../core/image-decode.js";
import { writeFileAtomic } from "../../core/labels.js";
import { emitJobEvent, jobEventsEnabled, throttle } from "../../host/event-sink.js";
import type { Tensor } from "../../torch/index.js";
import type { Callbacks } from "../../yolo/engine/callbacks.js";
import type { DetectionModel } from "../../yolo/model/detection-model.js";
import { Predictor } from "../../yolo/predict/predictor.js";
import { classStyles } from "../../yolo/predict/styles.js";
import { drawDetections } from "../../yolo/predict/writers.js";

/** Batch-progress events at most this often (about 4 a second). */
const BATCH_EVENT_MS = 250;
export const MAX_SAMPLES = 16;

export interface TrainEventOptions {
  readonly saveDir: string;
  /** Validation image files; the first `samples` are drawn. */
  readonly valFiles: readonly string[];
  readonly samples: number;
  readonly imgsz: number;
  readonly device: string;
  readonly catalog: ClassCatalog;
  /** A sample that cannot be drawn is reported, and training goes on. */
  readonly info: (text: string) => void;
}

/**
 * Subscribes the job events and the sample drawing to a run's callbacks. Epoch numbers in events are
 * 1-based, as results.csv's epoch column; train.start's startEpoch counts the epochs already done.
 */
export function trainEventCallbacks(cb: Callbacks, o: TrainEventOptions): void {
  if (jobEventsEnabled()) {
    cb.on("on_train_start", (e) =>
      emitJobEvent({
        type: "train.start",
        saveDir: o.saveDir,
        startEpoch: e.startEpoch,
        epochs: e.epochs,
        batchesPerEpoch: e.batchesPerEpoch,
      }),
    );
    const batch = throttle(
      BATCH_EVENT_MS,
      (e: {
        epoch: number;
        batch: number;
        batchesPerEpoch: number;
        meanLoss: readonly [number, number, number];
      }) =>
        emitJobEvent({
          type: "train.batch",
          epoch: e.epoch + 1,
          batch: e.batch + 1,
          batchesPerEpoch: e.batchesPerEpoch,
          meanLoss: [...e.meanLoss],
        }),
    );
    cb.on("on_train_batch_end", (e) => batch(e));
    cb.on("on_fit_epoch_end", (e) => {
      const row: Record<string, number> = {};
      for (const [k, v] of Object.entries(e.row)) if (typeof v === "number" && Number.isFinite(v)) row[k] = v;
      emitJobEvent({ type: "train.epoch", epoch: e.epoch + 1, row });
    });
  }
  const n = Math.min(o.samples, MAX_SAMPLES, o.valFiles.length);
  if (n <= 0) return;
  cb.on("on_model_save", async (e) => {
    if (!e.ema) return;
    try {
      const files = await drawSamples(e.ema, e.epoch + 1, o.valFiles.slice(0, n), o);
      emitJobEvent({ type: "train.samples", epoch: e.epoch + 1, files });
    } catch (err) {
      o.info(`samples: epoch ${e.epoch + 1}: cannot draw the sample predictions: ${(err as Error).message}`);
    }
  });
}

async function drawSamples(
  model: DetectionModel,
  epoch: number,
  files: readonly string[],
  o: TrainEventOptions,
): Promise<string[]> {
  const dir = join(o.saveDir, "samples");
  await mkdir(dir, { recursive: true });
  const onDevice = o.device !== "cpu";
  const detector = {
    names: model.names,
    stride: model.stride,
    infer: (x: Tensor) => model.infer(onDevice ? x.toDevice(o.device) : x),
  };
  const predictor = new Predictor(detector, { imgsz: o.imgsz, conf: 0.25 });
  const styles = classStyles(model.names, model.nc, o.catalog);
  const inputs = await Promise.all(files.map(async (file) => ({ file, image: await decodeRgb(file) })));
  const results = predictor.run(inputs);
  const out: string[] = [];
  for (const [i, r] of results.entries()) {
    const png = await drawDetections(inputs[i]!.image, r, styles);
    const file = join(dir, `epoch${epoch}_${i}.jpg`);
    await writeFileAtomic(file, await sharp(png).jpeg({ quality: 85 }).toBuffer(), { fsync: false });
    out.push(file);
  }
  return out;
}

/** The run's outputs, for the host (after training). */
export function emitTrainResult(saveDir: string, best: string, last: string): void {
  emitJobEvent({ type: "result", paths: { run: saveDir, best, last } });
}
