/** How jobs read to people: a one-line description of a spec, and state names. */
import type { JobInfo, JobSpec, JobState } from "../../../src-workers/host/contract/index.js";
import { plural } from "./plural.js";

export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, "");
  return trimmed.slice(Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\")) + 1) || path;
}

export function describeSpec(spec: JobSpec): string {
  switch (spec.kind) {
    case "train":
      return `Train "${spec.name}" (yolo11${spec.model}, ${plural(spec.epochs, "epoch")}, ${spec.imgsz} px${spec.resume ? ", resume" : ""})`;
    case "convert":
      return `Convert ${spec.from} → ${spec.to}: ${baseName(spec.input)}`;
    case "export":
      return `Export ${baseName(spec.weights)} → ${spec.format}`;
    case "infer":
      return `Infer ${baseName(spec.inputs[0] ?? "")} with ${baseName(spec.model)}`;
    case "augment":
      return spec.watch ? "Augmentation (watching)" : "Augmentation (once)";
    case "queue":
      return "Queue consumer";
  }
}

export const KIND_LABEL: Record<JobSpec["kind"], string> = {
  train: "Training",
  convert: "Conversion",
  export: "Export",
  infer: "Inference",
  augment: "Augmentation",
  queue: "Queue",
};

export const STATE_LABEL: Record<JobState, string> = {
  starting: "Starting",
  running: "Running",
  stopping: "Stopping",
  done: "Done",
  failed: "Failed",
  stopped: "Stopped",
  crashed: "Crashed",
};

/** States a job can be run again from (jobs.restart). */
export function canRestart(job: JobInfo): boolean {
  return job.state === "done" || job.state === "failed" || job.state === "stopped" || job.state === "crashed";
}

export function canStop(job: JobInfo): boolean {
  return job.state === "starting" || job.state === "running";
}

export function commandLine(job: JobInfo): string {
  const quote = (a: string): string => (/^[\w./:=@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ["azaion", ...job.argv.map(quote)].join(" ");
}

export function timeOf(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}
