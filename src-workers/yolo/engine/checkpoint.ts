/**
 * Checkpoints: weights/last.safetensors and best.safetensors (EMA weights with metadata, loadable by
 * predict) and weights/last.state.safetensors, everything an exact resume needs: the training model,
 * the EMA and its update count, the optimizer state, pending (accumulated) gradients, counters, args
 * and the results so far, sealed with a SHA-256 over tensors and metadata so corruption is refused.
 */
import { createHash } from "node:crypto";
import { DataError } from "../../core/errors.js";
import * as torch from "../../torch/index.js";
import type { OptimizerStateDict, Tensor } from "../../torch/index.js";
import type { DetectionModel } from "../model/detection-model.js";
import type { ModelEMA } from "../model/ema.js";
import type { TrainArgs } from "./defaults.js";
import { trainArgs } from "./defaults.js";
import type { GradScalerState } from "./grad-scaler.js";
import type { TrainOptimizer } from "./optimizer.js";
import { packageVersion, type WeightsMeta } from "../io/weights.js";
import type { ResultsRow } from "./results.js";

export const TRAIN_STATE_FORMAT = "azaion-train-state";
export const TRAIN_STATE_VERSION = 1;

/** Counters after a finished epoch. */
export interface TrainProgress {
  /** The last finished epoch (0-based); a resume starts at epoch + 1. */
  readonly epoch: number;
  readonly bestFitness: number | null;
  readonly bestEpoch: number | null;
  /** Ultralytics' EarlyStopping state (its best fitness starts at 0 and epochs count from 1). */
  readonly stopper: { readonly bestFitness: number; readonly bestEpoch: number };
  readonly lastOptStep: number;
  /** Training seconds so far (results.csv's time continues across a resume). */
  readonly elapsed: number;
  readonly rows: readonly ResultsRow[];
}

export interface TrainStateInput {
  readonly model: DetectionModel;
  readonly ema: ModelEMA;
  readonly optimizer: TrainOptimizer;
  readonly optimizerName: string;
  readonly scaler: GradScalerState;
  readonly args: TrainArgs;
  readonly progress: TrainProgress;
}

/** A loaded state; its tensors are kept: call dispose(). */
export interface LoadedTrainState {
  readonly model: Map<string, Tensor>;
  readonly ema: Map<string, Tensor>;
  readonly grads: Map<string, Tensor>;
  readonly optimizer: OptimizerStateDict<Record<string, unknown>>;
  readonly optimizerName: string;
  readonly emaUpdates: number;
  /** The AMP loss scale; null in a state written before it was recorded. */
  readonly scaler: GradScalerState | null;
  readonly args: TrainArgs;
  readonly progress: TrainProgress;
  readonly modelInfo: { readonly scale: string; readonly nc: number; readonly names: string[] };
  dispose(): void;
}

function digest(tensors: ReadonlyMap<string, Tensor>, metadata: Readonly<Record<string, string>>): string {
  const h = createHash("sha256");
  for (const name of [...tensors.keys()].sort()) {
    const t = tensors.get(name)!;
    const d = t.data();
    h.update(`${name}:${t.dtype}:${t.shape.join("x")};`);
    h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  for (const k of Object.keys(metadata).sort()) if (k !== "sha256") h.update(`${k}=${metadata[k]};`);
  return h.digest("hex");
}

/** Write the train state atomically (temp file + rename, via saveSafetensors). */
export async function saveTrainState(path: string, s: TrainStateInput): Promise<void> {
  const tensors = new Map<string, Tensor>();
  const own: Tensor[] = [];
  try {
    for (const [k, t] of s.model.stateDict()) tensors.set(`model.${k}`, t);
    for (const [k, t] of s.ema.ema.stateDict()) tensors.set(`ema.${k}`, t);
    for (const [k, p] of s.model.namedParameters()) {
      const g = p.grad;
      if (!g) continue;
      own.push(torch.keep(g));
      tensors.set(`grad.${k}`, g);
    }
    const sd = s.optimizer.stateDict();
    for (const st of Object.values(sd.state))
      for (const t of Object.values(st.tensors)) own.push(torch.keep(t));
    const packed = torch.packStateDict(sd);
    for (const [k, t] of Object.entries(packed.tensors)) tensors.set(`optim.${k}`, t);
    const metadata: Record<string, string> = {
      format: TRAIN_STATE_FORMAT,
      version: String(TRAIN_STATE_VERSION),
      optimizer: packed.metadata.optimizer!,
      optimizerName: s.optimizerName,
      emaUpdates: String(s.ema.updates),
      scaler: JSON.stringify(s.scaler),
      args: JSON.stringify(s.args),
      progress: JSON.stringify(s.progress),
      model: JSON.stringify({ scale: s.model.scale, nc: s.model.nc, names: s.model.names }),
    };
    metadata.sha256 = digest(tensors, metadata);
    await torch.saveSafetensors(path, tensors, metadata);
  } finally {
    for (const t of own) t.dispose();
  }
}

/** Read and verify a train state; any damage is a DataError saying the checkpoint cannot be used. */
export async function loadTrainState(path: string): Promise<LoadedTrainState> {
  let loaded: { tensors: Record<string, Tensor>; metadata: Record<string, string> };
  try {
    loaded = await torch.loadSafetensors(path);
  } catch (e) {
    throw corrupt(path, e instanceof Error ? e.message : String(e));
  }
  const all = new Map(Object.entries(loaded.tensors).map(([k, t]) => [k, torch.keep(t)] as const));
  const dispose = () => {
    all.forEach((t) => t.dispose());
    all.clear();
  };
  try {
    const m = loaded.metadata;
    if (m.format !== TRAIN_STATE_FORMAT)
      throw corrupt(path, `not a train state (format ${JSON.stringify(m.format ?? null)})`);
    if (m.version !== String(TRAIN_STATE_VERSION))
      throw corrupt(path, `unsupported version ${m.version ?? "?"}`);
    if (m.sha256 !== digest(all, m)) throw corrupt(path, "its checksum does not match its contents");
    const pick = (prefix: string) =>
      new Map(
        [...all].filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t] as const),
      );
    const optimTensors = Object.fromEntries(pick("optim."));
    const progress = JSON.parse(m.progress ?? "null") as TrainProgress | null;
    if (!progress || !Number.isInteger(progress.epoch)) throw corrupt(path, "no training progress recorded");
    return {
      model: pick("model."),
      ema: pick("ema."),
      grads: pick("grad."),
      optimizer: torch.unpackStateDict(optimTensors, { optimizer: m.optimizer ?? "" }),
      optimizerName: m.optimizerName ?? "",
      emaUpdates: Number(m.emaUpdates),
      scaler: m.scaler === undefined ? null : (JSON.parse(m.scaler) as GradScalerState),
      args: trainArgs(JSON.parse(m.args ?? "{}") as Record<string, unknown>),
      progress,
      modelInfo: JSON.parse(m.model ?? "{}") as LoadedTrainState["modelInfo"],
      dispose,
    };
  } catch (e) {
    dispose();
    if (e instanceof DataError) throw e;
    throw corrupt(path, e instanceof Error ? e.message : String(e));
  }
}

function corrupt(path: string, why: string): DataError {
  return new DataError(
    `checkpoint cannot be used (corrupt or incomplete: ${why}); resume from another run or start anew`,
    path,
  );
}

/** The saved args; `epochs` may be raised to train longer, `device` and `data` changed (as Ultralytics' resume). */
export function resumedArgs(
  saved: TrainArgs,
  given: Readonly<Record<string, unknown>> | undefined,
  file: string,
): TrainArgs {
  const epochs = given?.epochs;
  if (given?.device !== undefined) saved = trainArgs({ ...saved, device: given.device });
  if (given?.data !== undefined) saved = trainArgs({ ...saved, data: given.data });
  if (epochs === undefined) return saved;
  if (typeof epochs !== "number" || epochs < saved.epochs)
    throw new RangeError(
      `${file}: resume can extend epochs (${saved.epochs}) but not shorten them to ${JSON.stringify(epochs)}`,
    );
  return trainArgs({ ...saved, epochs });
}

export function checkModel(model: DetectionModel, info: { scale: string; nc: number }, file: string): void {
  if (model.scale !== info.scale || model.nc !== info.nc)
    throw new RangeError(
      `${file}: the checkpoint is of a ${info.scale} model with ${info.nc} classes, the model given is ${model.scale} with ${model.nc}`,
    );
}

/** Metadata of last/best weights: the EMA model as predict loads it, with the args and metrics. */
export function weightsMeta(
  a: TrainArgs,
  model: DetectionModel,
  metrics: Readonly<Record<string, number>>,
  source: string,
): WeightsMeta {
  return {
    format: "azaion-yolo",
    formatVersion: 1,
    task: "detect",
    scale: model.scale,
    nc: model.nc,
    names: [...model.names],
    imgsz: a.imgsz,
    strides: [...model.stride],
    trainArgs: { ...a },
    metrics: { ...metrics },
    date: new Date().toISOString(),
    version: packageVersion(),
    source,
  };
}
