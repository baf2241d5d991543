/** Training runs (runs/<name>/), inference results and the services' state, as the screens read them. */
import { z } from "zod";
import { resultsRowSchema } from "./jobs.js";

export const runSummarySchema = z.object({
  name: z.string(),
  path: z.string(),
  /** From args.yaml. */
  model: z.string().optional(),
  imgsz: z.number().optional(),
  epochs: z.number().optional(),
  /** Epochs in results.csv. */
  epochsDone: z.number().int().nonnegative(),
  bestMap50: z.number().optional(),
  bestMap5095: z.number().optional(),
  /** weights/best.safetensors, weights/last.safetensors, when present. */
  best: z.string().optional(),
  last: z.string().optional(),
  /** A resumable state exists (weights/last.state.safetensors). */
  resumable: z.boolean(),
  /** Files under exports/. */
  exports: z.array(z.string()),
  modifiedAt: z.string(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const runDetailSchema = runSummarySchema.extend({
  args: z.record(z.string(), z.unknown()),
  results: z.array(resultsRowSchema),
  /** per_class.csv as rows of strings keyed by its header (after training ends). */
  perClass: z.array(z.record(z.string(), z.string())),
  /** Image files of the run (results.png, confusion_matrix.png, PR_curve.png, samples/...), absolute paths. */
  images: z.array(z.string()),
  /** Sample prediction images by epoch. */
  samples: z.array(z.object({ epoch: z.number().int(), files: z.array(z.string()) })),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const detectionSchema = z.object({
  /** Input pixels. */
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  cls: z.number().int(),
  name: z.string(),
  score: z.number(),
  track: z.number().int().nullable(),
});
export type Detection = z.infer<typeof detectionSchema>;

/** The output folder of `azaion infer` on a video, read back for the player. */
export const inferResultSchema = z.object({
  dir: z.string(),
  /** The input video, and annotated.mp4 when it was written. */
  source: z.string(),
  annotated: z.string().optional(),
  fps: z.number().positive(),
  width: z.number().int(),
  height: z.number().int(),
  frames: z.number().int().nonnegative(),
  stride: z.number().int().positive(),
  /** One entry per sampled frame, in order. */
  samples: z.array(
    z.object({ frame: z.number().int(), time: z.number(), detections: z.array(detectionSchema) }),
  ),
  /** Files a person may download: detections.jsonl, summary.csv, annotated.mp4, run.json. */
  files: z.record(z.string(), z.string()),
});
export type InferResult = z.infer<typeof inferResultSchema>;

const serviceStateSchema = z.object({
  /** The service's status.json, as it wrote it; null when it never ran on this root. */
  status: z.record(z.string(), z.unknown()).nullable(),
  /** A job of this host runs it. */
  jobId: z.string().optional(),
  /** Whether a process holds its lock (this host's or another's). */
  running: z.boolean(),
  quarantined: z.number().int().nonnegative(),
});

export const servicesStatusSchema = z.object({
  queue: serviceStateSchema,
  augment: serviceStateSchema,
});
export type ServicesStatus = z.infer<typeof servicesStatusSchema>;

export const fsEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  dir: z.boolean(),
  size: z.number().optional(),
});
export const fsListingSchema = z.object({
  path: z.string(),
  parent: z.string().nullable(),
  entries: z.array(fsEntrySchema),
});
export type FsListing = z.infer<typeof fsListingSchema>;
