/**
 * `azaion export` end to end: check the converter is there (before any work), load and fuse the
 * weights, write the ONNX model and run it once in ONNX Runtime, then (engine, rknn) run the
 * converter stage and write the metadata sidecar. Models are written under a temporary name and
 * renamed into place, and a failed conversion removes its input ONNX, so a failed run leaves nothing.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { AzaionError } from "../core/errors.js";
import { packageVersion } from "../yolo/io/weights.js";
import { loadDetector } from "../yolo/predict/load.js";
import { buildEngine } from "./build-engine.js";
import { buildRknn } from "./build-rknn.js";
import type { CalibrationResult } from "./calibration.js";
import { nonEmpty, type ExportEvents } from "./convert-common.js";
import { exportOnnx, type OnnxExport } from "./onnx/export-onnx.js";
import { checkWithOrt } from "./onnx/ort-check.js";
import type { ExportPlan } from "./plan.js";
import { checkRknnToolkit } from "./rknn.js";
import { writeSidecar } from "./sidecar.js";
import { checkTensorrtPython, findTrtexec } from "./tensorrt.js";

export type { ExportEvents } from "./convert-common.js";

export interface ExportResult {
  readonly output: string;
  readonly onnx: string;
  readonly sidecar: string | null;
  readonly metadata: Record<string, string>;
  readonly ortMs: number;
  readonly calibration?: CalibrationResult;
}

async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.partial-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

async function writeOnnx(p: ExportPlan, ev: ExportEvents): Promise<OnnxExport> {
  ev.phase("load weights");
  const det = await loadDetector(p.weights, { fuse: true });
  let exp: OnnxExport;
  try {
    ev.phase("build the ONNX graph");
    exp = exportOnnx(det.model, {
      imgsz: p.imgsz,
      batchMax: p.batch,
      nms: p.nms,
      conf: p.conf,
      iou: p.iou,
      maxDet: p.maxDet,
      version: packageVersion(),
      source: p.weights,
    });
  } finally {
    det.model.dispose();
  }
  await writeAtomic(p.onnx, exp.bytes);
  ev.info(`onnx: ${p.onnx} (${(exp.bytes.length / 1e6).toFixed(1)} MB, ${exp.nodes} nodes, opset 17)`);
  return exp;
}

export async function runExport(p: ExportPlan, ev: ExportEvents): Promise<ExportResult> {
  // Converters first: a missing TensorRT or toolkit is reported before minutes of work, not after.
  const trtexec = p.format === "engine" ? findTrtexec() : null;
  if (p.format === "engine" && p.precision === "int8") checkTensorrtPython(p.python);
  if (p.format === "rknn") checkRknnToolkit(p.python);

  const exp = await writeOnnx(p, ev);
  ev.phase("check with ONNX Runtime");
  const check = await checkWithOrt(p.onnx, p.imgsz, exp.outputs);
  const shapes = Object.entries(check.outputs).map(([k, v]) => `${k} [${v.join(", ")}]`);
  ev.info(
    `onnx runtime: loads and runs (batch 1, ${check.ms.toFixed(0)} ms on CPU); outputs ${shapes.join(", ")}`,
  );
  const base = {
    output: p.output,
    onnx: p.onnx,
    sidecar: p.sidecar,
    metadata: exp.metadata,
    ortMs: check.ms,
  };
  if (p.format === "onnx") return base;

  const work = await mkdtemp(join(tmpdir(), `azaion-export-${p.format}-`));
  const partial = `${p.output}.partial-${process.pid}`;
  try {
    const job = { plan: p, partial, work, events: ev };
    const r = p.format === "engine" ? await buildEngine(job, trtexec!) : await buildRknn(job);
    const bytes = await nonEmpty(partial, p.format === "engine" ? "trtexec" : "rknn-toolkit2");
    await rename(partial, p.output);
    const cal = r.calibration;
    await writeSidecar(p.sidecar!, {
      format: p.format,
      file: p.output,
      onnx: p.onnx,
      bytes,
      precision: p.precision!,
      created: new Date().toISOString(),
      metadata: exp.metadata,
      commands: r.commands,
      converter: r.converter,
      ...(cal === undefined
        ? {}
        : {
            calibration: {
              source: p.data!,
              images: cal.written,
              skipped: [...cal.leftOut, ...cal.skipped.map((s) => `${s.file}: ${s.error}`)],
            },
          }),
      notes: r.notes,
    });
    return { ...base, ...(cal === undefined ? {} : { calibration: cal }) };
  } catch (err) {
    // The converter's input ONNX is only kept beside a finished model.
    await rm(p.onnx, { force: true });
    if (err instanceof AzaionError) throw err;
    throw new AzaionError(`export to ${p.format} failed: ${(err as Error).message}`, "E_EXPORT");
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}
