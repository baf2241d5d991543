/**
 * The job messages of the work queues, one typed module for both ends (submit and worker). A job is
 * JSON (UTF-8) and names its files by paths relative to the shared data root, so the submitter and
 * every worker may mount that root at different places; it never carries image bytes (the outputs
 * land on the shared root anyway, and small messages keep the broker's quorum log small and fast).
 * Unknown fields are ignored (a newer submitter may add some); anything else that does not fit is a
 * poison message, dead-lettered with the reason that decodeJob gives.
 */
import { randomUUID } from "node:crypto";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { UsageError } from "../core/errors.js";
import { zodIssuesToText } from "../core/zod-text.js";

/** A path under the data root: relative, no ".." step, no NUL; "/" separated. */
const rootPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes("\0"), "contains a NUL character")
  .refine((p) => !isAbsolute(p) && !p.startsWith("\\"), "must be relative to the data root")
  .refine((p) => !p.split(/[\\/]/).includes(".."), 'must stay inside the data root (no ".." step)');

/** One file name, no folder part. */
const fileName = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => !/[\\/\0]/.test(n) && n !== "." && n !== "..", "must be a plain file name");

const jobId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "8-64 letters, digits, _ or -");

export const augmentJobSchema = z.object({
  type: z.literal("augment"),
  v: z.literal(1),
  id: jobId,
  /** Folder holding images/ and labels/ (data/). */
  source: rootPath,
  /** Folder receiving images/, labels/ and .augment/ (data-processed/). */
  out: rootPath,
  /** The source image's file name in <source>/images/; its label is labels/<stem>.txt. */
  image: fileName,
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
});
export type AugmentJob = z.infer<typeof augmentJobSchema>;

/** What `azaion infer` takes per run, less what belongs to the worker's machine (device, threads, ffmpeg). */
export const inferOptionsSchema = z.object({
  stride: z.number().int().min(1).max(10_000),
  batch: z.number().int().min(1).max(64).optional(),
  conf: z.number().min(0).max(1),
  iou: z.number().min(0).max(1),
  maxDet: z.number().int().min(1).max(100_000),
  agnostic: z.boolean(),
  imgsz: z.number().int().min(32).max(8192).optional(),
  saveVideo: z.boolean(),
  saveImg: z.boolean(),
  track: z.boolean(),
  trackBuffer: z.number().int().min(0).max(100_000),
  summaryEvery: z.number().min(0.001).max(86_400),
});
export type InferOptions = z.infer<typeof inferOptionsSchema>;

export const inferJobSchema = z.object({
  type: z.literal("infer"),
  v: z.literal(1),
  id: jobId,
  /** The ONNX model. */
  model: rootPath,
  /** One video, or image files and folders of images (as `azaion infer` takes them). */
  inputs: z.array(rootPath).min(1).max(100_000),
  /** The run's output folder: must not exist yet (or be empty) when the job first runs. */
  out: rootPath,
  options: inferOptionsSchema,
});
export type InferJob = z.infer<typeof inferJobSchema>;

export type JobKind = "augment" | "infer";
export type JobOf<K extends JobKind> = K extends "augment" ? AugmentJob : InferJob;

export const JOB_SCHEMAS = { augment: augmentJobSchema, infer: inferJobSchema } as const;

export type Decoded<T> =
  { readonly ok: true; readonly job: T } | { readonly ok: false; readonly reason: string };

/** Bytes of a message -> a job, or the reason it is not one (field names in the reason). */
export function decodeJob<K extends JobKind>(kind: K, content: Uint8Array): Decoded<JobOf<K>> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(content);
  } catch {
    return { ok: false, reason: "the message is not UTF-8 text (a job is JSON)" };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `the message is not JSON: ${(e as Error).message}` };
  }
  const parsed = JOB_SCHEMAS[kind].safeParse(raw);
  if (!parsed.success)
    return { ok: false, reason: `not a ${kind} job: ${zodIssuesToText(parsed.error).text}` };
  return { ok: true, job: parsed.data as JobOf<K> };
}

export function encodeJob(job: AugmentJob | InferJob): Buffer {
  return Buffer.from(JSON.stringify(job), "utf8");
}

export function newJobId(): string {
  return randomUUID().replaceAll("-", "");
}

/** A root-relative path of a job -> the absolute path on this machine. */
export function inRoot(root: string, p: string): string {
  return join(root, ...p.split(/[\\/]/));
}

/** An absolute path given to a submitter -> the root-relative one its job carries; refused outside the root. */
export function rootRelative(root: string, path: string, what: string): string {
  const abs = resolve(path);
  const rel = relative(resolve(root), abs);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel))
    throw new UsageError(
      `${what} ${abs} is outside the data root ${resolve(root)}: workers find files through the shared root (--root)`,
    );
  return rel.split(sep).join("/");
}
