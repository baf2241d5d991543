/**
 * A YOLO detector exported to ONNX, ready to run: the sessions (engines), the input it takes (size,
 * batch range), the output layout, class names, and letterboxing into reusable batch buffers.
 *
 * On the CPU it runs two sessions side by side, each in its own thread with half the cores, and
 * hands each batch to the less busy one: ONNX Runtime's threads within one operator wait for each
 * other at every layer, so on a few cores shared with the decoder and the rest of the pipeline, two
 * independent single-threaded runs get more done than one run on two threads.
 */
import { availableParallelism } from "node:os";
import { UsageError } from "../core/errors.js";
import type { RgbImage } from "../core/image-decode.js";
import { letterboxGeometry, type LetterboxGeometry } from "../yolo/predict/letterbox.js";
import { letterboxInto } from "../yolo/predict/letterbox-image.js";
import type { ValueSpec } from "./session.js";
import type { EngineDescription } from "./engine-host.js";
import { openEngine, type InferenceEngine } from "./engine.js";
import { readModelInfo, type ModelInfo } from "./model-info.js";
import { planModel, type TrtOptions } from "./open-model.js";
import { toSource, type OutputKind, type PostOptions, type SourceBox } from "./postprocess.js";
import type { Device } from "./session.js";

export interface DetectorOptions {
  readonly device: Device;
  readonly deviceId?: number;
  /** CPU threads per operator and session (0: the cores shared among the sessions; one session: ORT's default). */
  readonly threads?: number;
  /** Sessions run side by side (default: 2 on the CPU when there are 2 cores or more, else 1). */
  readonly engines?: number;
  /** Images per run; default 2 with several sessions, else the model's largest batch (8 at most). */
  readonly batch?: number;
  /** Input size for a model whose height and width are dynamic; must match a fixed one. */
  readonly imgsz?: number;
  /** Run the session on this thread (default: a worker thread when available). */
  readonly thread?: boolean;
  /** TensorRT: the engine cache and FP16 (default: no cache, FP32). */
  readonly trt?: TrtOptions;
  /** Lines about engines being built or taken from the cache, as they happen. */
  readonly onNote?: (text: string) => void;
}

/** A batch being filled: its buffer and each image's letterbox. */
export interface BatchSlot {
  readonly input: Float32Array;
  readonly geometry: LetterboxGeometry[];
}

export interface DetectTimes {
  inferMs: number;
  postMs: number;
}

export class OnnxDetector {
  private readonly free: Float32Array[] = [];
  readonly times: DetectTimes = { inferMs: 0, postMs: 0 };
  /** Batches handed to each engine and not yet back. */
  private readonly busy: number[];

  private constructor(
    private readonly pool: readonly InferenceEngine[],
    readonly info: ModelInfo,
    readonly names: readonly string[],
    readonly width: number,
    readonly height: number,
    /** Images per run. */
    readonly batch: number,
    /** Batch the model insists on (a fixed batch dimension), else undefined. */
    readonly fixedBatch: number | undefined,
    readonly kind: OutputKind,
  ) {
    this.busy = pool.map(() => 0);
  }

  static async open(model: string, o: DetectorOptions): Promise<OnnxDetector> {
    const plan = await planModel({
      model,
      device: o.device,
      deviceId: o.deviceId ?? 0,
      trt: o.trt ?? { cache: null, half: false },
      note: o.onNote ?? (() => undefined),
    });
    const info = await readModelInfo(plan.infoFile);
    if (info.task !== undefined && info.task !== "detect")
      throw new UsageError(`${model} is a ${info.task} model; infer runs detection models`);
    const count = o.engines ?? defaultEngines(o.device);
    if (!(Number.isInteger(count) && count >= 1 && count <= 16))
      throw new UsageError(`engines ${count}: expected a whole number from 1 to 16`);
    const threads =
      o.threads !== undefined && o.threads > 0
        ? o.threads
        : count > 1
          ? Math.max(1, Math.floor(availableParallelism() / count))
          : 0;
    const pool = await plan.open(count, threads, (req) =>
      openEngine(req, o.thread === undefined ? {} : { thread: o.thread }),
    );
    try {
      const d = pool[0]!.description;
      const [h, w] = inputSize(model, d.inputs[0]!, info, o.imgsz);
      const b0 = d.inputs[0]!.shape[0];
      const fixedBatch = typeof b0 === "number" && b0 > 0 ? b0 : undefined;
      const most = fixedBatch ?? Math.min(8, info.batchMax ?? 8);
      // Sessions sharing the CPU: small batches, whose activations stay in cache (about 10% less CPU
      // per image than batches of 8 here, the same detections); the engines overlap anyway.
      const batch = fixedBatch ?? o.batch ?? (pool.length > 1 ? Math.min(SHARED_CPU_BATCH, most) : most);
      if (fixedBatch !== undefined && o.batch !== undefined && o.batch !== fixedBatch)
        throw new UsageError(`--batch ${o.batch}: ${model} takes batches of exactly ${fixedBatch}`);
      if (info.batchMax !== undefined && batch > info.batchMax)
        throw new UsageError(`--batch ${batch}: ${model} was exported for batches of 1 to ${info.batchMax}`);
      const out = d.outputs.find((x) => x.name === "detections") ?? d.outputs[0]!;
      const kind = outputKind(model, out, info);
      const names =
        info.names.length > 0
          ? info.names
          : kind === "raw" && typeof out.shape[1] === "number"
            ? range(out.shape[1] - 4)
            : [];
      return new OnnxDetector(pool, info, names, w, h, batch, fixedBatch, kind);
    } catch (err) {
      await Promise.all(pool.map((e) => e.close()));
      throw err;
    }
  }

  get description(): EngineDescription {
    return this.pool[0]!.description;
  }

  get threaded(): boolean {
    return this.pool[0]!.threaded;
  }

  /** Sessions running side by side: batches that can be in flight at once. */
  get engines(): number {
    return this.pool.length;
  }

  nameOf(cls: number): string {
    return this.names[cls] ?? String(cls);
  }

  /** A batch buffer to fill (reused once a run hands it back). */
  slot(): BatchSlot {
    const n = (this.fixedBatch ?? this.batch) * 3 * this.width * this.height;
    const input = this.free.pop() ?? new Float32Array(n);
    return { input, geometry: [] };
  }

  /** Letterbox an image into the next place of the batch, exactly as training and the predictor do. */
  add(slot: BatchSlot, img: RgbImage): void {
    const g = letterboxGeometry(img.width, img.height, { newShape: [this.height, this.width], auto: false });
    letterboxInto(img, g, slot.input, slot.geometry.length * 3 * this.width * this.height);
    slot.geometry.push(g);
  }

  /** Run a filled batch: boxes in each image's source pixels. */
  async detect(slot: BatchSlot, post: Omit<PostOptions, "kind">): Promise<SourceBox[][]> {
    const images = slot.geometry.length;
    if (images === 0) return [];
    const b = this.fixedBatch ?? images;
    const per = 3 * this.width * this.height;
    // A fixed-batch model gets grey padding images; their results are dropped.
    if (images < b) slot.input.fill(114 / 255, images * per, b * per);
    // The least busy engine (the first of equals); a busy one queues the batch in its thread.
    const e = this.busy.indexOf(Math.min(...this.busy));
    this.busy[e]!++;
    let r;
    try {
      r = await this.pool[e]!.run({
        input: slot.input,
        dims: [b, 3, this.height, this.width],
        images,
        post: { ...post, kind: this.kind },
      });
    } finally {
      this.busy[e]!--;
    }
    this.free.push(r.input);
    this.times.inferMs += r.inferMs;
    this.times.postMs += r.postMs;
    return r.detections.map((rows, i) => {
      const g = slot.geometry[i]!;
      return toSource(rows, this.width, this.height, g.srcWidth, g.srcHeight);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.pool.map((e) => e.close()));
  }
}

/** Default images per run when several sessions share the CPU. */
const SHARED_CPU_BATCH = 2;

/** Two sessions on a CPU with two cores or more; one on a GPU (or one core). */
function defaultEngines(device: Device): number {
  return device === "cpu" && availableParallelism() >= 2 ? 2 : 1;
}

function range(n: number): string[] {
  return Array.from({ length: Math.max(0, n) }, (_, i) => String(i));
}

/** [h, w]: the input's fixed size, else the metadata's, else --imgsz (which must agree with a fixed one). */
function inputSize(
  model: string,
  input: ValueSpec,
  info: ModelInfo,
  imgsz: number | undefined,
): [number, number] {
  const [, c, h, w] = input.shape;
  if (input.shape.length !== 4 || (typeof c === "number" && c !== 3))
    throw new UsageError(
      `${model}: input ${input.name} is [${input.shape.join(", ")}], expected (batch, 3, height, width)`,
    );
  if (input.type !== "float32")
    throw new UsageError(`${model}: input ${input.name} is ${input.type}; infer feeds float32`);
  if (typeof h === "number" && typeof w === "number") {
    if (imgsz !== undefined && (imgsz !== h || imgsz !== w))
      throw new UsageError(
        `--imgsz ${imgsz}: ${model} takes ${h}x${w} input (export it again for another size)`,
      );
    return [h, w];
  }
  if (imgsz !== undefined) {
    if (imgsz % info.stride !== 0)
      throw new UsageError(`--imgsz ${imgsz} is not a multiple of the model's stride ${info.stride}`);
    return [imgsz, imgsz];
  }
  if (info.imgsz) return [info.imgsz[0], info.imgsz[1]];
  throw new UsageError(`${model}: the input size is dynamic and not in the metadata; give --imgsz`);
}

function outputKind(model: string, out: ValueSpec, info: ModelInfo): OutputKind {
  if (info.output) return info.output;
  const [, d1, d2] = out.shape;
  const nc = info.names.length;
  if (out.shape.length === 3) {
    if (nc > 0 && d1 === 4 + nc) return "raw";
    if (d2 === 6) return "nms";
    if (typeof d1 === "number" && typeof d2 === "number" && d2 > d1) return "raw";
  }
  throw new UsageError(
    `${model}: output ${out.name} [${out.shape.join(", ")}] is neither (batch, 4+nc, anchors) nor (batch, max_det, 6)`,
  );
}
