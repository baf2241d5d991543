/** `azaion export`: weights -> ONNX (NMS inside or raw), TensorRT engine (FP16/INT8) or RKNN. */
import { basename, sep } from "node:path";
import type { Command } from "commander";
import { emitJobEvent } from "../../host/event-sink.js";
import { UsageError } from "../../core/errors.js";
import { loadSecrets } from "../../core/secrets.js";
import { FORMATS, planExport, type ExportFormat } from "../../export/plan.js";
import { RKNN_PLATFORMS, type RknnPlatform } from "../../export/rknn.js";
import { runExport, type ExportEvents } from "../../export/run-export.js";
import { modelStoreFromConfig } from "../../platform/connect.js";
import type { CliContext } from "../context.js";
import { numberOption, wholeOption } from "../options.js";
import { stageBars } from "../transfer-progress.js";
import type { ProgressBar } from "../progress.js";

interface ExportFlags {
  readonly format: string;
  readonly imgsz: string;
  readonly batch?: string;
  readonly nms?: boolean;
  readonly raw?: boolean;
  readonly conf: string;
  readonly iou: string;
  readonly maxDet: string;
  readonly precision?: string;
  readonly data?: string;
  readonly calibImages: string;
  readonly platform: string;
  readonly out?: string;
  readonly force?: boolean;
  readonly python: string;
  readonly upload?: string | true;
  readonly folder?: string;
}

const HELP_AFTER = `
Formats:
  onnx    opset 17, input "images" (batch, 3, imgsz, imgsz) RGB 0-1 letterboxed, dynamic batch (named
          "batch"; metadata says 1-<batch>). With NMS (default): outputs detections (batch, max-det, 6)
          = x1 y1 x2 y2 score class in input pixels, zero rows after the real ones, and num_detections
          (batch). The NMS is the predictor's: best class per box, class-aware, score > conf, IoU > iou
          suppresses, max-det per image. --raw: output0 (batch, 4+nc, anchors), NMS left to the caller.
          Metadata (names, strides, imgsz, batch range, NMS settings, date, version) is inside the file.
  engine  TensorRT engine for this machine's GPU via trtexec: profile min 1 / opt <batch> / max <batch>,
          FP16, or INT8 (--precision int8, calibrated on --data). Plain engine file + <file>.json metadata.
  rknn    RK3588 (or --platform) NPU model via rknn-toolkit2, batch 1, INT8 calibrated on --data (or
          --precision fp16). NMS stays in our post-processing: the raw network is converted.
          <file>.json holds the metadata.
Output: --out, else <run>/exports/<stem>.<ext> for weights in a run's weights/ folder, else beside
the weights. engine and rknn also keep their input ONNX (<stem>-engine.onnx, <stem>-rknn.onnx).
Existing files are not overwritten without --force.
--upload [name]: then encrypts the exported model (AES-256-GCM) and uploads it split between the API
(small part) and the CDN (big part), as \`azaion model upload\` does (README, "Platform"); the name
defaults to the run's name (or the output's file name). Needs the api_password, model_key_secret and
CDN write secrets; they are checked before the export starts.

Examples:
  azaion export runs/train/exp/weights/best.safetensors                       # ONNX, 1280 px, NMS inside
  azaion export best.safetensors --format engine --precision int8 --data datasets/azaion-2026-01-02/data.yaml
  azaion export best.safetensors --format rknn --imgsz 640 --data ~/azaion/data-processed --python ~/rknn/bin/python`;

export function registerExport(program: Command, ctx: CliContext): void {
  program
    .command("export")
    .description("export weights to ONNX (NMS inside or raw), a TensorRT engine or an RKNN model")
    .argument("<weights>", "our weights (.safetensors) or an Ultralytics checkpoint (.pt)")
    .option("--format <format>", `one of ${FORMATS.join(", ")}`, "onnx")
    .option("--imgsz <px>", "square input size, a multiple of 32", "1280")
    .option("--batch <n>", "largest batch (the dynamic batch runs 1 to n; rknn: 1)", undefined)
    .option("--nms", "NMS inside the model (the default for onnx and engine)")
    .option("--raw", "no NMS: the raw (batch, 4+nc, anchors) output")
    .option("--conf <x>", "NMS: least score kept, 0-1", "0.25")
    .option("--iou <x>", "NMS: IoU above which a box of the same class is suppressed, 0-1", "0.7")
    .option("--max-det <n>", "NMS: most detections per image", "300")
    .option("--precision <p>", "engine/rknn: fp16 or int8 (default: engine fp16, rknn int8)")
    .option("--data <path>", "calibration images for int8: a data.yaml (train split) or an images folder")
    .option("--calib-images <n>", "calibration images drawn from --data", "64")
    .option("--platform <name>", `rknn target: ${RKNN_PLATFORMS.join(", ")}`, "rk3588")
    .option("--python <exe>", "Python with tensorrt (engine int8) or rknn-toolkit2 (rknn)", "python3")
    .option("--out <file|dir>", "output file, or a folder for the default file name")
    .option("--force", "overwrite existing output files")
    .option("--upload [name]", "encrypt the result and upload it to the API + CDN (protected model)")
    .option("--folder <folder>", "--upload: API folder and CDN prefix (default: config api.models_folder)")
    .addHelpText("after", HELP_AFTER)
    .action(async (weights: string, f: ExportFlags) => {
      if (f.nms && f.raw) throw new UsageError("choose one of --nms and --raw");
      const precision = f.precision;
      if (precision !== undefined && precision !== "fp16" && precision !== "int8")
        throw new UsageError(`--precision ${precision}: expected fp16 or int8`);
      const plan = planExport({
        weights,
        format: f.format as ExportFormat,
        imgsz: wholeOption("--imgsz", f.imgsz, 32, 8192),
        ...(f.batch === undefined ? {} : { batch: wholeOption("--batch", f.batch, 1, 1024) }),
        ...(f.nms ? { nms: true } : f.raw ? { nms: false } : {}),
        conf: numberOption("--conf", f.conf, 0, 1),
        iou: numberOption("--iou", f.iou, 0, 1),
        maxDet: wholeOption("--max-det", f.maxDet, 1, 100_000),
        ...(precision === undefined ? {} : { precision }),
        ...(f.data === undefined ? {} : { data: f.data }),
        calibImages: wholeOption("--calib-images", f.calibImages, 1, 100_000),
        platform: f.platform as RknnPlatform,
        ...(f.out === undefined ? {} : { out: f.out }),
        force: f.force === true,
        python: f.python,
      });
      // Upload credentials are checked before minutes of export work, not after.
      const cfg = ctx.config();
      const store =
        f.upload === undefined ? undefined : modelStoreFromConfig(cfg, loadSecrets(), { write: true });
      const t0 = Date.now();
      const progress = new ExportProgress(ctx);
      ctx.info(
        `export: ${plan.weights} -> ${plan.format} at ${plan.imgsz} px, batch 1-${plan.batch}, ` +
          (plan.nms
            ? `NMS inside (conf ${plan.conf}, iou ${plan.iou}, max-det ${plan.maxDet})`
            : "raw output") +
          (plan.precision ? `, ${plan.precision}` : ""),
      );
      try {
        const r = await runExport(plan, progress);
        progress.finish();
        const secs = ((Date.now() - t0) / 1000).toFixed(1);
        ctx.out(`export: ${r.output}${r.sidecar ? ` (+ ${r.sidecar})` : ""} in ${secs} s`);
        emitJobEvent({
          type: "result",
          paths: { output: r.output, ...(r.sidecar ? { sidecar: r.sidecar } : {}) },
        });
      } finally {
        progress.finish();
      }
      if (store !== undefined) {
        const bars = stageBars(ctx);
        const name = typeof f.upload === "string" ? f.upload : uploadName(plan.output);
        const m = await store.protectAndUpload(plan.output, {
          name,
          folder: f.folder ?? cfg.api.models_folder,
          onProgress: bars.onProgress,
        });
        bars.finish();
        ctx.out(
          `uploaded ${m.folder}/${m.name} (protected): ${m.plain.size} bytes, sha256 ${m.plain.sha256}; ` +
            `small part on the API, big part on the CDN (${m.big.key})`,
        );
      }
    });
}

/**
 * One bar per phase: counted for calibration images, ticking per log line for a converter, and a
 * one-step bar for the rest, which completes (with its time) when the next phase starts.
 */
class ExportProgress implements ExportEvents {
  private bar: ProgressBar | undefined;
  private single = false;

  constructor(private readonly ctx: CliContext) {}

  phase(name: string, count?: number | "lines"): void {
    this.finish();
    const label = `export: ${name}`;
    this.single = count === undefined;
    if (count === undefined) this.bar = this.ctx.progress(label, 1, "step");
    else if (count === "lines") this.bar = this.ctx.progress(label, undefined, "lines");
    else this.bar = this.ctx.progress(label, count, "img");
  }

  tick(): void {
    this.bar?.tick();
  }

  /** A one-step phase's line reports its result: the phase is done. */
  info(text: string): void {
    if (this.single) this.finish();
    this.ctx.info(text);
  }

  finish(): void {
    if (this.single) this.bar?.tick();
    this.bar?.finish();
    this.bar = undefined;
    this.single = false;
  }
}

/** runs/<run>/exports/best.onnx -> "<run>-best"; elsewhere the file name without its extension. */
function uploadName(output: string): string {
  const stem = basename(output).replace(/\.[^.]+$/, "");
  const parts = output.split(sep);
  const i = parts.lastIndexOf("exports");
  return i >= 1 ? `${parts[i - 1]}-${stem}` : stem;
}
