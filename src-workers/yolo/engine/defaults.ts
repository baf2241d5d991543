/**
 * Training arguments: Ultralytics' names and defaults (cfg/default.yaml, 8.3.253) for what our trainer,
 * validator and data pipeline read, validated with zod so a bad flag or a corrupt args record fails early.
 */
import { z } from "zod";
import * as torch from "../../torch/index.js";

const frac = z.number().min(0).max(1);
const nonNeg = z.number().min(0);

export const OPTIMIZERS = ["auto", "SGD", "Adam", "AdamW"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const TrainArgsSchema = z
  .object({
    /** The data.yaml trained on (null: batches given directly); a resume reads it from here. */
    data: z.string().min(1).nullable(),
    epochs: z.number().int().positive(),
    /** -1: the largest batch that fits the GPU (autobatch.ts), resolved before training starts. */
    batch: z
      .number()
      .int()
      .refine((v) => v > 0 || v === -1, "must be a positive whole number, or -1 (auto)"),
    imgsz: z
      .number()
      .int()
      .positive()
      .refine((v) => v % 32 === 0, "must be a multiple of 32"),
    optimizer: z.enum(OPTIMIZERS),
    lr0: z.number().positive(),
    lrf: z.number().positive(),
    momentum: frac,
    weight_decay: nonNeg,
    warmup_epochs: nonNeg,
    warmup_momentum: frac,
    warmup_bias_lr: nonNeg,
    box: nonNeg,
    cls: nonNeg,
    dfl: nonNeg,
    nbs: z.number().int().positive(),
    cos_lr: z.boolean(),
    close_mosaic: z.number().int().min(0),
    patience: z.number().int().positive(),
    seed: z.number().int().min(0),
    deterministic: z.boolean(),
    workers: z.number().int().min(0),
    /**
     * Keep decoded, resized images in RAM (each loader thread its own): the same pixels, fewer decodes.
     * "auto": when they fit a quarter of the available memory (data/cache-budget.ts).
     */
    cache: z.union([z.boolean(), z.literal("auto")]),
    /** "cpu", "cuda" or "cuda:N"; checkDevice says whether CUDA is there. */
    device: z.string().regex(/^(cpu|cuda(:\d+)?)$/, 'expected "cpu", "cuda" or "cuda:N"'),
    val: z.boolean(),
    /** Mixed precision (float16 autocast + loss scaling) on CUDA; no effect on the CPU. */
    amp: z.boolean(),
    /** Validation thresholds; conf null means 0.001 during validation, as Ultralytics. */
    conf: frac.nullable(),
    iou: frac,
    max_det: z.number().int().positive(),
    // Augmentation: read by the data pipeline, recorded in args.yaml.
    hsv_h: frac,
    hsv_s: frac,
    hsv_v: frac,
    degrees: z.number(),
    translate: frac,
    scale: nonNeg,
    shear: z.number(),
    perspective: nonNeg,
    flipud: frac,
    fliplr: frac,
    mosaic: frac,
    mixup: frac,
    copy_paste: frac,
  })
  .strict();

export type TrainArgs = z.infer<typeof TrainArgsSchema>;

export const DEFAULT_TRAIN_ARGS: Readonly<TrainArgs> = Object.freeze({
  data: null,
  epochs: 100,
  batch: 16,
  imgsz: 640,
  optimizer: "auto",
  lr0: 0.01,
  lrf: 0.01,
  momentum: 0.937,
  weight_decay: 0.0005,
  warmup_epochs: 3.0,
  warmup_momentum: 0.8,
  warmup_bias_lr: 0.1,
  box: 7.5,
  cls: 0.5,
  dfl: 1.5,
  nbs: 64,
  cos_lr: false,
  close_mosaic: 10,
  patience: 100,
  seed: 0,
  deterministic: true,
  workers: 8,
  cache: "auto",
  device: "cpu",
  val: true,
  amp: true,
  conf: null,
  iou: 0.7,
  max_det: 300,
  hsv_h: 0.015,
  hsv_s: 0.7,
  hsv_v: 0.4,
  degrees: 0.0,
  translate: 0.1,
  scale: 0.5,
  shear: 0.0,
  perspective: 0.0,
  flipud: 0.0,
  fliplr: 0.5,
  mosaic: 1.0,
  mixup: 0.0,
  copy_paste: 0.0,
});

/** Defaults overlaid with `overrides` (undefined values ignored); throws naming the first bad key. */
export function trainArgs(overrides: Readonly<Record<string, unknown>> = {}): TrainArgs {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const r = TrainArgsSchema.safeParse({ ...DEFAULT_TRAIN_ARGS, ...given });
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = issue.path.map(String).join(".") || (issue as { keys?: string[] }).keys?.join(", ") || "?";
  throw new RangeError(`training argument '${key}': ${issue.message}`);
}

/** Throw a RangeError naming `device` when it is a CUDA device this machine does not have. */
export function checkDevice(device: string): void {
  if (!device.startsWith("cuda")) return;
  if (!torch.cuda.isAvailable())
    throw new RangeError(`device '${device}': CUDA is not available (torch.cuda.isAvailable() is false)`);
  const index = Number(device.split(":")[1] ?? 0);
  const count = torch.cuda.deviceCount();
  if (index >= count) throw new RangeError(`device '${device}': only ${count} CUDA device(s) are available`);
}
