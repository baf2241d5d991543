/**
 * TensorRT engines through trtexec: the exact command line (a pure function, so it can be tested
 * without TensorRT), finding trtexec, and running it. The engine file is TensorRT's own serialized
 * engine, nothing in front of it; our metadata goes into a sidecar JSON beside it. An engine is tied
 * to the GPU model and TensorRT version that built it, so it is built on the machine that runs it.
 */
import { existsSync } from "node:fs";
import { findExecutable, pythonImports, ToolMissingError } from "./tools.js";

export type Precision = "fp16" | "int8";

export interface TrtexecPlan {
  readonly onnx: string;
  readonly engine: string;
  /** The ONNX input's name ("images"). */
  readonly input: string;
  readonly imgsz: number;
  readonly batchMin: number;
  /** The batch TensorRT tunes its kernels for. */
  readonly batchOpt: number;
  readonly batchMax: number;
  readonly precision: Precision;
  /** INT8: the calibration cache written by the calibrator script. */
  readonly calibrationCache?: string;
  /** Builder workspace limit in MiB (trtexec's default when absent). */
  readonly workspaceMiB?: number;
}

/** Where TensorRT's packages put trtexec (apt: /usr/src/tensorrt/bin; tar and containers: the others). */
export const TRTEXEC_DIRS = ["/usr/src/tensorrt/bin", "/usr/local/tensorrt/bin", "/opt/tensorrt/bin"];

const INSTALL_TENSORRT =
  "Install TensorRT for this machine's GPU and CUDA: with NVIDIA's CUDA apt repository, " +
  "`apt-get install tensorrt` (or just `libnvinfer-bin`, which holds trtexec, in /usr/src/tensorrt/bin); " +
  "or unpack the TensorRT tar from https://developer.nvidia.com/tensorrt and put its bin/ on PATH; " +
  "or use NVIDIA's TensorRT container (nvcr.io/nvidia/tensorrt). If trtexec is elsewhere, set TRTEXEC=/path/to/trtexec. " +
  "Without TensorRT, `azaion export --format onnx` still makes the ONNX model (it runs on TensorRT through ONNX Runtime's TensorRT provider).";

/** trtexec's path: $TRTEXEC, else PATH, else TensorRT's usual folders; a clear error when absent. */
export function findTrtexec(env: NodeJS.ProcessEnv = process.env): string {
  const pinned = env.TRTEXEC;
  if (pinned !== undefined && pinned !== "") {
    if (!existsSync(pinned))
      throw new ToolMissingError(`TRTEXEC=${pinned} does not exist. ${INSTALL_TENSORRT}`);
    return pinned;
  }
  const found = findExecutable("trtexec", TRTEXEC_DIRS, env);
  if (found === null)
    throw new ToolMissingError(
      `TensorRT is not installed: trtexec was not found on PATH or in ${TRTEXEC_DIRS.join(", ")}. ${INSTALL_TENSORRT}`,
    );
  return found;
}

/** INT8 needs TensorRT's Python package to calibrate (trtexec alone only reads a calibration cache). */
export function checkTensorrtPython(python: string): void {
  const r = pythonImports(python, "tensorrt");
  if (!r.ok)
    throw new ToolMissingError(
      `INT8 calibration needs TensorRT's Python package, and ${python} cannot import it (${r.reason}). ` +
        "Install the one that matches your trtexec (pip install tensorrt==<its version>, or apt-get install python3-libnvinfer), " +
        "plus cuda-python (pip install cuda-python) for the GPU buffers, or pass --python /path/to/python. " +
        "Without calibration, --precision fp16 builds an FP16 engine.",
    );
}

function shape(input: string, batch: number, imgsz: number): string {
  return `${input}:${batch}x3x${imgsz}x${imgsz}`;
}

/**
 * The trtexec command line. FP16 is on for INT8 too (layers INT8 cannot take fall back to FP16, not
 * FP32). --skipInference stops after the build (TensorRT 8.6+; older trtexec calls it --buildOnly).
 */
export function trtexecArgv(trtexec: string, p: TrtexecPlan): string[] {
  if (!(p.batchMin >= 1 && p.batchMin <= p.batchOpt && p.batchOpt <= p.batchMax))
    throw new RangeError(`batch range ${p.batchMin} <= ${p.batchOpt} <= ${p.batchMax} does not hold`);
  const argv = [
    trtexec,
    `--onnx=${p.onnx}`,
    `--saveEngine=${p.engine}`,
    `--minShapes=${shape(p.input, p.batchMin, p.imgsz)}`,
    `--optShapes=${shape(p.input, p.batchOpt, p.imgsz)}`,
    `--maxShapes=${shape(p.input, p.batchMax, p.imgsz)}`,
    "--fp16",
  ];
  if (p.precision === "int8") {
    if (p.calibrationCache === undefined) throw new RangeError("an INT8 engine needs a calibration cache");
    argv.push("--int8", `--calib=${p.calibrationCache}`);
  }
  if (p.workspaceMiB !== undefined) argv.push(`--memPoolSize=workspace:${p.workspaceMiB}M`);
  argv.push("--skipInference");
  return argv;
}

/** What trtexec's log says about the build: TensorRT version and GPU. */
export function trtexecFacts(lines: readonly string[]): { tensorrt?: string; device?: string } {
  const out: { tensorrt?: string; device?: string } = {};
  for (const l of lines) {
    const v = /TensorRT version:\s*([\d.]+)/.exec(l) ?? /TensorRT v(\d+)/.exec(l);
    if (v && out.tensorrt === undefined) out.tensorrt = v[1]!;
    const d = /Selected Device:\s*(.+)$/.exec(l);
    if (d && out.device === undefined) out.device = d[1]!.trim();
  }
  return out;
}
