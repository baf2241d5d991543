/**
 * Jobs: long work that runs in a worker process (an Electron utility process, or a child process under
 * `azaion serve`). A job is described by a spec; the host turns it into the `azaion` command line the
 * worker runs, so a job from the UI does exactly what the same command does in a terminal.
 */
import { z } from "zod";

const positiveInt = z.number().int().positive();

export const trainSpecSchema = z.object({
  kind: z.literal("train"),
  /** data.yaml; absent: a dataset is formed from the root's data-processed/ (as `azaion train`). */
  data: z.string().optional(),
  model: z.enum(["n", "s", "m", "l", "x"]).default("n"),
  /** Pretrained weights (ours or an Ultralytics .pt). */
  weights: z.string().optional(),
  epochs: positiveInt.default(100),
  imgsz: positiveInt.default(640),
  /** -1: the largest that fits the GPU. */
  batch: z.number().int().min(-1).default(16),
  device: z.string().default("cpu"),
  name: z.string().min(1).default("train"),
  workers: z.number().int().nonnegative().optional(),
  patience: positiveInt.optional(),
  /** Continue runs/<name> from its last checkpoint (epochs: a larger number trains longer). */
  resume: z.boolean().default(false),
  /** Validation images drawn with the model's predictions after each epoch (runs/<name>/samples/). */
  samples: z.number().int().nonnegative().default(4),
});

export const convertSpecSchema = z.object({
  kind: z.literal("convert"),
  from: z.enum(["coco", "voc", "labelme", "cvat", "yolo"]),
  to: z.enum(["yolo", "coco"]).default("yolo"),
  input: z.string().min(1),
  out: z.string().min(1),
  mapping: z.string().optional(),
  /** Folder of the source images, where the format does not say. */
  images: z.string().optional(),
  /** Weather mode for mapped names that carry none. */
  mode: z.string().optional(),
  force: z.boolean().default(false),
});

export const exportSpecSchema = z.object({
  kind: z.literal("export"),
  weights: z.string().min(1),
  format: z.enum(["onnx", "engine", "rknn"]).default("onnx"),
  imgsz: positiveInt.default(1280),
  batch: positiveInt.optional(),
  nms: z.boolean().default(true),
  precision: z.enum(["fp16", "int8"]).optional(),
  /** Calibration data for int8. */
  data: z.string().optional(),
  out: z.string().optional(),
  force: z.boolean().default(false),
  /** Encrypt and upload the result (API + CDN); the value is the model's name there. */
  upload: z.string().optional(),
});

export const inferSpecSchema = z.object({
  kind: z.literal("infer"),
  model: z.string().min(1),
  /** A video, or images / folders. */
  inputs: z.array(z.string().min(1)).min(1),
  stride: positiveInt.default(4),
  conf: z.number().min(0).max(1).default(0.25),
  device: z.string().default("cpu"),
  saveVideo: z.boolean().default(true),
  track: z.boolean().default(true),
  out: z.string().optional(),
});

export const augmentSpecSchema = z.object({
  kind: z.literal("augment"),
  watch: z.boolean().default(false),
});

export const queueSpecSchema = z.object({ kind: z.literal("queue") });

export const jobSpecSchema = z.discriminatedUnion("kind", [
  trainSpecSchema,
  convertSpecSchema,
  exportSpecSchema,
  inferSpecSchema,
  augmentSpecSchema,
  queueSpecSchema,
]);
/** As the UI writes it (defaults may be left out). */
export type JobSpecInput = z.input<typeof jobSpecSchema>;
/** As the host holds it (defaults filled in). */
export type JobSpec = z.output<typeof jobSpecSchema>;
export type JobKind = JobSpec["kind"];

export const jobStateSchema = z.enum([
  "starting",
  "running",
  "stopping",
  "done",
  "failed",
  "stopped",
  "crashed",
]);
export type JobState = z.infer<typeof jobStateSchema>;

export const progressSchema = z.object({
  label: z.string(),
  done: z.number(),
  total: z.number().optional(),
  unit: z.string(),
  /** Per second, over the bar's life. */
  rate: z.number(),
  etaSeconds: z.number().optional(),
});
export type Progress = z.infer<typeof progressSchema>;

/** results.csv's row for one epoch: Ultralytics' column names ("metrics/mAP50(B)", "lr/pg0", ...). */
export const resultsRowSchema = z.record(z.string(), z.number());
export type ResultsRowData = z.infer<typeof resultsRowSchema>;

/** What a worker says while it runs; the host adds the job id and forwards it to every renderer. */
export const jobEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("log"), stream: z.enum(["stdout", "stderr"]), line: z.string() }),
  z.object({ type: z.literal("progress"), progress: progressSchema }),
  z.object({
    type: z.literal("train.start"),
    saveDir: z.string(),
    startEpoch: z.number().int(),
    epochs: z.number().int(),
    batchesPerEpoch: z.number().int(),
  }),
  z.object({
    type: z.literal("train.batch"),
    epoch: z.number().int(),
    batch: z.number().int(),
    batchesPerEpoch: z.number().int(),
    /** The epoch's running mean [box, cls, dfl]. */
    meanLoss: z.tuple([z.number(), z.number(), z.number()]),
  }),
  z.object({ type: z.literal("train.epoch"), epoch: z.number().int(), row: resultsRowSchema }),
  /** Sample predictions drawn after an epoch: image files under the run folder. */
  z.object({ type: z.literal("train.samples"), epoch: z.number().int(), files: z.array(z.string()) }),
  /** Where the job's outputs are (a run folder, an inference folder, an exported file). */
  z.object({ type: z.literal("result"), paths: z.record(z.string(), z.string()) }),
]);
export type JobEvent = z.infer<typeof jobEventSchema>;

export const jobInfoSchema = z.object({
  id: z.string(),
  spec: jobSpecSchema,
  /** The command line the worker runs (for the log and for people who want to repeat it). */
  argv: z.array(z.string()),
  state: jobStateSchema,
  startedAt: z.string(),
  endedAt: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  /** The message of a failed or crashed job. */
  error: z.string().optional(),
  progress: progressSchema.optional(),
  result: z.record(z.string(), z.string()).optional(),
  /** The worker's process id while it runs (optional: a host may not know it). */
  pid: z.number().int().optional(),
  /** The job's whole log (absolute path; the media file route serves it). */
  logFile: z.string().optional(),
  /** The last lines of the log (the whole log is in the job's log file). */
  logTail: z.array(z.string()),
});
export type JobInfo = z.infer<typeof jobInfoSchema>;
