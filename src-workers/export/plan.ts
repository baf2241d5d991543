/**
 * An export request, checked: format, sizes, NMS settings, precision, calibration data, and the files
 * it will write. Pure: nothing is read or written here except the existence checks of the outputs.
 */
import { existsSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { OverwriteError, UsageError } from "../core/errors.js";
import { ONNX_DEFAULTS } from "./onnx/export-onnx.js";
import { RKNN_PLATFORMS, type RknnPlatform } from "./rknn.js";
import type { Precision } from "./tensorrt.js";

export const FORMATS = ["onnx", "engine", "rknn"] as const;
export type ExportFormat = (typeof FORMATS)[number];

const EXTENSION: Record<ExportFormat, string> = { onnx: ".onnx", engine: ".engine", rknn: ".rknn" };

export interface ExportRequest {
  readonly weights: string;
  readonly format: ExportFormat;
  readonly imgsz: number;
  /** Largest batch; undefined = 8 (rknn: 1, the only batch it takes). */
  readonly batch?: number;
  /** NMS in the graph; undefined = the format's default (onnx and engine: yes; rknn: never). */
  readonly nms?: boolean;
  readonly conf: number;
  readonly iou: number;
  readonly maxDet: number;
  /** undefined = the format's default (engine fp16, rknn int8). */
  readonly precision?: Precision;
  readonly data?: string;
  readonly calibImages: number;
  readonly platform: RknnPlatform;
  readonly out?: string;
  readonly force: boolean;
  readonly python: string;
}

export interface ExportPlan extends Omit<ExportRequest, "nms" | "precision" | "out" | "batch"> {
  readonly batch: number;
  readonly nms: boolean;
  readonly precision: Precision | null;
  /** The file the format produces. */
  readonly output: string;
  /** The ONNX file: the output itself for onnx, the converter's input for engine and rknn. */
  readonly onnx: string;
  /** Metadata JSON beside engine and rknn files (null for onnx, whose metadata is inside). */
  readonly sidecar: string | null;
}

/** Beside the weights, or in <run>/exports when the weights sit in a run's weights/ folder. */
export function defaultExportDir(weights: string): string {
  const dir = dirname(resolve(weights));
  return basename(dir) === "weights" ? join(dirname(dir), "exports") : dir;
}

function stem(file: string): string {
  return basename(file, extname(file));
}

export function planExport(r: ExportRequest): ExportPlan {
  if (!FORMATS.includes(r.format))
    throw new UsageError(`--format ${String(r.format)}: expected one of ${FORMATS.join(", ")}`);
  if (r.imgsz % 32 !== 0)
    throw new UsageError(`--imgsz ${r.imgsz}: must be a multiple of 32 (the largest stride)`);
  if (r.format === "rknn" && r.nms === true)
    throw new UsageError(
      "--nms: RKNN models keep NMS in our post-processing (the NPU runs the raw network); drop --nms",
    );
  if (r.format === "rknn" && r.batch !== undefined && r.batch !== 1)
    throw new UsageError(`--batch ${r.batch}: RKNN models take one image at a time (batch 1)`);
  if (r.format === "onnx" && r.precision !== undefined)
    throw new UsageError("--precision applies to engine and rknn; an ONNX model stays float32");
  if (r.format === "engine" && r.maxDet > 3840)
    throw new UsageError(`--max-det ${r.maxDet}: TensorRT's TopK takes at most 3840`);
  if (!RKNN_PLATFORMS.includes(r.platform))
    throw new UsageError(`--platform ${r.platform}: expected one of ${RKNN_PLATFORMS.join(", ")}`);
  const precision = r.format === "onnx" ? null : (r.precision ?? (r.format === "rknn" ? "int8" : "fp16"));
  if (precision === "int8" && r.data === undefined)
    throw new UsageError(
      `${r.format} INT8 needs calibration images: give --data (a data.yaml or an images folder), or --precision fp16`,
    );
  if (r.data !== undefined && !existsSync(r.data)) throw new UsageError(`--data ${r.data} does not exist`);
  if (!existsSync(r.weights)) throw new UsageError(`${r.weights} does not exist`);

  const ext = EXTENSION[r.format];
  let output: string;
  if (r.out === undefined) output = join(defaultExportDir(r.weights), `${stem(r.weights)}${ext}`);
  else {
    const o = resolve(r.out);
    const isDir = r.out.endsWith("/") || (existsSync(o) && statSync(o).isDirectory());
    output = isDir ? join(o, `${stem(r.weights)}${ext}`) : o;
    if (!isDir && extname(o).toLowerCase() !== ext)
      throw new UsageError(`--out ${r.out}: a ${r.format} file must end in ${ext}`);
  }
  const onnx = r.format === "onnx" ? output : join(dirname(output), `${stem(output)}-${r.format}.onnx`);
  const sidecar = r.format === "onnx" ? null : `${output}.json`;
  if (!r.force)
    for (const f of [output, onnx, sidecar]) if (f !== null && existsSync(f)) throw new OverwriteError(f);
  return {
    ...r,
    weights: resolve(r.weights),
    ...(r.data === undefined ? {} : { data: resolve(r.data) }),
    batch: r.format === "rknn" ? 1 : (r.batch ?? ONNX_DEFAULTS.batchMax),
    nms: r.format === "rknn" ? false : (r.nms ?? true),
    precision,
    output,
    onnx,
    sidecar,
  };
}
