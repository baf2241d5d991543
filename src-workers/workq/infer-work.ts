/**
 * Inference over the work queue. A job is one `azaion infer` run (model, one video or images,
 * options, output folder, all under the shared data root); a worker runs the same pipeline
 * (inference/run-infer.ts) into a temporary folder beside the output, fsyncs every file and folder
 * of it, renames it into place, fsyncs the parent, and only then is the job acked. An output folder
 * that is already complete (it has run.json, which is written last) means an earlier attempt got
 * that far before its ack was lost: the job is done. The temporary folder is named after the output,
 * so the next attempt after a worker died clears what that one left.
 */
import { readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AzaionError, errorMessage } from "../core/errors.js";
import { OUTPUT_FILES } from "../inference/outputs.js";
import { runInfer, type InferReporter } from "../inference/run-infer.js";
import type { TrtOptions } from "../inference/open-model.js";
import type { Device } from "../inference/session.js";
import { resolveSources } from "../inference/sources.js";
import type { FfmpegTools } from "../inference/video-probe.js";
import { fsyncFile } from "../queue/durable.js";
import { inRoot, newJobId, rootRelative, type InferJob, type InferOptions } from "./jobs.js";
import { testDelayMs } from "./test-delay.js";
import type { JobOutcome } from "./worker.js";

export interface InferWorkOptions {
  readonly root: string;
  readonly tools: FfmpegTools;
  readonly device: Device;
  readonly deviceId: number;
  readonly threads: number;
  /** TensorRT: engine cache folder (null: none) and FP16. */
  readonly trt?: TrtOptions;
  /** Lines about a job (its notes and result), for the worker's log. */
  readonly log: (id: string, text: string) => void;
}

/** The temporary folder of a run: hidden, beside the output (same file system, so rename is atomic). */
export function partialDir(out: string): string {
  return join(dirname(out), `.${basename(out)}.partial`);
}

export async function handleInferJob(job: InferJob, o: InferWorkOptions): Promise<JobOutcome> {
  const out = inRoot(o.root, job.out);
  const existing = await readdir(out).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return null;
    throw e;
  });
  if (existing !== null && existing.includes(OUTPUT_FILES.run))
    return { kind: "done", note: `${out} is complete already (an earlier attempt wrote it)` };
  if (existing !== null && existing.length > 0)
    return { kind: "poison", reason: `${out} exists and is not empty; a job writes a new folder` };
  const tmp = partialDir(out);
  await rm(tmp, { recursive: true, force: true });
  const problems: string[] = [];
  const reporter: InferReporter = {
    info: (t) => o.log(job.id, t),
    out: (t) => o.log(job.id, t),
    progress: () => ({ tick: () => undefined, finish: () => undefined }),
    error: (file, message) => problems.push(`${file}: ${message}`),
  };
  let note: string;
  try {
    const src = await resolveSources(job.inputs.map((p) => inRoot(o.root, p)));
    const model = inRoot(o.root, job.model);
    if ((await stat(model).catch(() => undefined))?.isFile() !== true)
      return { kind: "poison", reason: `${model}: no such model file` };
    const { tools, device, deviceId, threads, trt } = o;
    const settings = { ...job.options, model, src, out: tmp, tools, device, deviceId, threads, trt };
    const r = await runInfer(settings, reporter);
    note = `${r.detections} detections in ${r.items} ${src.kind === "video" ? "sampled frames" : "images"}`;
    if (problems.length > 0) note += `; ${problems.length} images failed, first: ${problems[0]}`;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    // Bad input (a file that is not a video, a truncated one, a model that is no detector) fails
    // again on any machine: dead-letter it. Anything else (disk, memory) may pass on another try.
    if (e instanceof AzaionError && (e.code === "E_USAGE" || e.code === "E_DATA"))
      return { kind: "poison", reason: e.message };
    return { kind: "retry", reason: errorMessage(e) };
  }
  const delay = testDelayMs();
  if (delay > 0) await sleep(delay);
  await syncTree(tmp);
  if (existing !== null) await rmdir(out); // an empty folder made by hand: ours replaces it
  await rename(tmp, out);
  await fsyncFile(dirname(out));
  return { kind: "done", note: `${note} -> ${out}` };
}

/** fsync every file and folder under `dir`, and `dir` itself. */
async function syncTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  await Promise.all(
    entries.map((e) => (e.isDirectory() ? syncTree(join(dir, e.name)) : fsyncFile(join(dir, e.name)))),
  );
  await fsyncFile(dir);
}

/**
 * One job per input (a video, an image, or a folder of images), each into its own folder
 * <outParent>/<input name> (-2, -3, ... for names given twice).
 */
export function planInferJobs(
  root: string,
  model: string,
  inputs: readonly string[],
  outParent: string,
  options: InferOptions,
): InferJob[] {
  const modelRel = rootRelative(root, model, "the model");
  const parentRel = rootRelative(root, outParent, "--out");
  const used = new Map<string, number>();
  return inputs.map((input) => {
    const rel = rootRelative(root, input, "input");
    const name = basename(rel).replace(/^\.+/, "") || "input";
    const n = (used.get(name) ?? 0) + 1;
    used.set(name, n);
    return {
      type: "infer",
      v: 1,
      id: newJobId(),
      model: modelRel,
      inputs: [rel],
      out: `${parentRel}/${n === 1 ? name : `${name}-${n}`}`,
      options,
    };
  });
}
