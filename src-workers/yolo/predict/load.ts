/**
 * Loading a detector for prediction from our weights (.safetensors) or an Ultralytics checkpoint
 * (.pt): build the model of the stored scale and classes, load the tensors, eval, optionally fuse.
 */
import { extname } from "node:path";
import { DataError } from "../../core/errors.js";
import type { Tensor } from "../../torch/index.js";
import { readUltralyticsCheckpoint } from "../io/pt-checkpoint.js";
import { loadWeights } from "../io/weights.js";
import { DetectionModel } from "../model/detection-model.js";
import type { Scale } from "../model/spec.js";
import { SCALES } from "../model/spec.js";

export interface LoadedDetector {
  readonly model: DetectionModel;
  readonly nc: number;
  readonly names: readonly string[];
  readonly scale: Scale;
  /** The training image size the weights record (a default for --imgsz), when they do. */
  readonly imgsz?: number;
}

export interface LoadOptions {
  /** Fold BatchNorm into the convolutions, as Ultralytics' predictor does (default true). */
  readonly fuse?: boolean;
}

function build(
  sd: ReadonlyMap<string, Tensor>,
  scale: Scale,
  nc: number,
  names: readonly string[],
  fuse: boolean,
) {
  const model = new DetectionModel({ scale, nc, names });
  try {
    model.loadStateDict(sd);
  } catch (err) {
    model.dispose();
    throw err;
  }
  model.eval();
  if (fuse) model.fuse();
  return model;
}

export async function loadDetector(path: string, opts: LoadOptions = {}): Promise<LoadedDetector> {
  const fuse = opts.fuse ?? true;
  const ext = extname(path).toLowerCase();
  if (ext === ".pt") {
    const ck = readUltralyticsCheckpoint(path);
    try {
      if (!ck.modelClass.endsWith(".DetectionModel"))
        throw new DataError(`${ck.modelClass} is not a detection model`, path);
      const scale = ck.scale as Scale | null;
      if (scale === null || !SCALES.includes(scale))
        throw new DataError(`model.yaml scale ${JSON.stringify(ck.scale)} is not one of n, s, m, l, x`, path);
      const names = Array.from({ length: ck.nc }, (_, i) => ck.names[i] ?? String(i));
      const model = build(ck.stateDict, scale, ck.nc, names, fuse);
      const imgsz = ck.trainArgs.imgsz;
      return { model, nc: ck.nc, names, scale, ...(typeof imgsz === "number" ? { imgsz } : {}) };
    } finally {
      for (const t of ck.stateDict.values()) t.dispose();
    }
  }
  if (ext !== ".safetensors")
    throw new DataError("weights must be our .safetensors file or an Ultralytics .pt checkpoint", path);
  const w = await loadWeights(path);
  try {
    const { scale, nc, names, imgsz } = w.meta;
    return { model: build(w.stateDict, scale, nc, names, fuse), nc, names, scale, imgsz };
  } finally {
    for (const t of w.stateDict.values()) t.dispose();
  }
}
