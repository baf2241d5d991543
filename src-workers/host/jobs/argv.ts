/**
 * A job spec as the `azaion` command line that does the same in a terminal (each option exactly as
 * the command in src-workers/cli/commands/ takes it), plus the paths the job reads and writes (the
 * media routes may serve them).
 */
import { dirname, resolve } from "node:path";
import type { JobSpec } from "../contract/jobs.js";

export interface GlobalArgs {
  readonly root: string;
  readonly configFile?: string;
}

const opt = (flag: string, v: string | number | undefined): string[] =>
  v === undefined ? [] : [flag, String(v)];
const flag = (name: string, on: boolean | undefined): string[] => (on ? [name] : []);

export function commandArgv(spec: JobSpec): string[] {
  switch (spec.kind) {
    case "train":
      return [
        "train",
        ...opt("--data", spec.data),
        "--model",
        spec.model,
        ...opt("--weights", spec.weights),
        "--epochs",
        String(spec.epochs),
        "--imgsz",
        String(spec.imgsz),
        "--batch",
        String(spec.batch),
        "--device",
        spec.device,
        "--name",
        spec.name,
        ...opt("--workers", spec.workers),
        ...opt("--patience", spec.patience),
        ...flag("--resume", spec.resume),
        "--samples",
        String(spec.samples),
      ];
    case "convert":
      return [
        "convert",
        spec.input,
        "--from",
        spec.from,
        "--to",
        spec.to,
        "--out",
        spec.out,
        ...opt("--mapping", spec.mapping),
        ...opt("--images", spec.images),
        ...opt("--mode", spec.mode),
        ...flag("--force", spec.force),
      ];
    case "export":
      return [
        "export",
        spec.weights,
        "--format",
        spec.format,
        "--imgsz",
        String(spec.imgsz),
        ...opt("--batch", spec.batch),
        // NMS inside is the default of onnx and engine; only its absence is said.
        ...flag("--raw", !spec.nms),
        ...opt("--precision", spec.precision),
        ...opt("--data", spec.data),
        ...opt("--out", spec.out),
        ...flag("--force", spec.force),
        ...opt("--upload", spec.upload),
      ];
    case "infer":
      return [
        "infer",
        spec.model,
        ...spec.inputs,
        "--stride",
        String(spec.stride),
        "--conf",
        String(spec.conf),
        "--device",
        spec.device,
        ...flag("--save-video", spec.saveVideo),
        ...flag("--no-track", !spec.track),
        ...opt("--out", spec.out),
      ];
    case "augment":
      return ["augment", spec.watch ? "--watch" : "--once"];
    case "queue":
      return ["queue", "consume"];
  }
}

export function jobArgv(spec: JobSpec, g: GlobalArgs): string[] {
  return ["--root", g.root, ...opt("--config", g.configFile), ...commandArgv(spec)];
}

/** Folders and files a spec names (absolute; relative ones are under the root, the worker's cwd). */
export function specPaths(spec: JobSpec, root: string): string[] {
  const ps: (string | undefined)[] = [];
  switch (spec.kind) {
    case "train":
      ps.push(spec.data && dirname(spec.data), spec.weights);
      break;
    case "convert":
      ps.push(spec.input, spec.out, spec.mapping, spec.images);
      break;
    case "export":
      ps.push(dirname(spec.weights), spec.out, spec.data);
      break;
    case "infer":
      ps.push(spec.model, spec.out, ...spec.inputs);
      break;
    default:
      break;
  }
  return ps.filter((p): p is string => p !== undefined && p !== "").map((p) => resolve(root, p));
}
