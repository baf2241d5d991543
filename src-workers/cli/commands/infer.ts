/** `azaion infer`: run an ONNX detector or a TensorRT engine on a video or on images with ONNX Runtime. */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { emitJobEvent } from "../../host/event-sink.js";
import { z } from "zod";
import { expandHome } from "../../core/config.js";
import { UsageError } from "../../core/errors.js";
import { dataRootLayout } from "../../core/layout.js";
import { zodIssuesToText } from "../../core/zod-text.js";
import type { CliContext } from "../context.js";
import { freshRunDir } from "../../core/run-dir.js";

const number = (min: number, max: number, what = "a number") =>
  z
    .string()
    .trim()
    .regex(/^[0-9.eE+-]+$/, `expected ${what} from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `expected ${what} from ${min} to ${max}`)
        .max(max, `expected ${what} from ${min} to ${max}`),
    );
const whole = (min: number, max: number) =>
  number(min, max, "a whole number").pipe(z.number().int(`expected a whole number from ${min} to ${max}`));

const flagsSchema = z.object({
  device: z
    .string()
    .regex(/^(cpu|cuda|tensorrt)(:\d+)?$/, "expected cpu, cuda[:N] or tensorrt[:N]")
    .transform((s) => {
      const [name, id] = s.split(":");
      return { device: name as "cpu" | "cuda" | "tensorrt", deviceId: id === undefined ? 0 : Number(id) };
    }),
  stride: whole(1, 10_000),
  batch: whole(1, 64).optional(),
  conf: number(0, 1),
  iou: number(0, 1),
  maxDet: whole(1, 100_000),
  agnostic: z.boolean().optional(),
  imgsz: whole(32, 8192).optional(),
  out: z.string().min(1).optional(),
  saveVideo: z.boolean().optional(),
  saveImg: z.boolean().optional(),
  track: z.boolean(),
  trackBuffer: whole(0, 100_000),
  summaryEvery: number(0.001, 86_400),
  threads: whole(0, 1024),
  engines: whole(0, 16),
  ffmpeg: z.string().min(1).optional(),
  submit: z.boolean().optional(),
  worker: z.boolean().optional(),
  prefetch: whole(1, 1024).optional(),
  half: z.boolean().optional(),
  trtCache: z.boolean(),
});

/** Flags that belong to a run (carried by a submitted job), not to a worker's machine. */
const RUN_FLAGS = [
  "stride",
  "batch",
  "conf",
  "iou",
  "maxDet",
  "agnostic",
  "imgsz",
  "out",
  "saveVideo",
  "saveImg",
  "track",
  "trackBuffer",
  "summaryEvery",
] as const;

const FLAG_NAMES: Record<string, string> = {
  maxDet: "--max-det",
  trackBuffer: "--track-buffer",
  summaryEvery: "--summary-every",
};

export function registerInfer(program: Command, ctx: CliContext): void {
  program
    .command("infer")
    .description(
      "detect objects in a video or in images with an ONNX model or a TensorRT engine (ONNX Runtime); tracks objects in videos",
    )
    .argument("[model]", "an exported detector (.onnx), or a .engine from `azaion export --format engine`")
    .argument("[sources...]", "one video file, or image files and folders of images")
    .option(
      "--device <name>",
      "cpu, cuda[:N] or tensorrt[:N]; a provider that cannot start falls back to the next (a .engine: tensorrt only)",
      "cpu",
    )
    .option("--half", "tensorrt: build an FP16 engine with trtexec (once; kept in the engine cache)")
    .option(
      "--no-trt-cache",
      "tensorrt: build the engine afresh, neither reading nor writing the engine cache",
    )
    .option("--stride <n>", "infer every n-th video frame", "4")
    .option(
      "--batch <n>",
      "images per run (default: 2 with several CPU sessions, else the model's largest batch, 8 at most)",
    )
    .option("--conf <x>", "least confidence kept, 0-1", "0.25")
    .option("--iou <x>", "NMS IoU threshold, 0-1 (raw-output models; an NMS model keeps its own)", "0.7")
    .option("--max-det <n>", "most detections per image", "300")
    .option("--agnostic", "NMS across classes (raw-output models)")
    .option("--imgsz <px>", "input size (default: the model's)")
    .option("--out <dir>", "new or empty folder for the results (default: <root>/runs/infer/<timestamp>)")
    .option("--save-video", "write annotated.mp4: every frame, with the boxes of the latest sampled frame")
    .option("--save-img", "write images/<stem>.png with the boxes drawn (images)")
    .option("--no-track", "no tracking: track ids are null")
    .option("--track-buffer <n>", "sampled frames a lost track is kept before its id is retired", "8")
    .option("--summary-every <s>", "seconds per row of summary.csv (videos)", "1")
    .option("--threads <n>", "CPU threads per operator and session (0: the cores shared among sessions)", "0")
    .option("--engines <n>", "ONNX Runtime sessions side by side (0: 2 on a CPU with 2+ cores, else 1)", "0")
    .option(
      "--ffmpeg <path>",
      "the ffmpeg program (default: config inference.ffmpeg); ffprobe is taken from beside it",
    )
    .option("--submit", "publish one job per source (video, image or folder) to the work queue, then exit")
    .option(
      "--worker",
      "take inference jobs from the work queue until stopped (SIGTERM finishes the job in flight)",
    )
    .option("--prefetch <n>", "--worker: jobs held and run at once (default: config queue.prefetch)")
    .addHelpText(
      "after",
      "\nWork queue: `azaion infer --submit model.onnx a.mp4 b.mp4 [run options] [--out DIR]` makes one job per\n" +
        "source, each writing DIR/<source name>/ (DIR default <root>/runs/infer/<timestamp>); the model, sources and\n" +
        "DIR must be under the data root shared by the workers. `azaion infer --worker [--device ...] [--threads n]`\n" +
        "runs them; a job's folder appears complete (written to a temporary folder, fsynced, renamed) or not at all.\n" +
        "\nTensorRT: `--device tensorrt` on an .onnx builds the engine once and keeps it in the engine cache (config\n" +
        "inference.trt_cache, default <root>/cache/tensorrt; keyed by the model's SHA-256, GPU and ONNX Runtime\n" +
        "version); FP32, or FP16 with --half (built by trtexec). A .engine from `azaion export --format engine` runs\n" +
        "directly (FP16 or INT8; it needs its .engine.json and the -engine.onnx beside it), on TensorRT only.\n" +
        "\nWrites detections.jsonl (a line per sampled frame or image: boxes in source pixels, scores, class names,\n" +
        "track ids), summary.csv (per class over time, or per class for images) and run.json. A truncated or\n" +
        "damaged video is reported with how far it was read, after what was read is written; the exit code is then 1.\n\n" +
        "Examples:\n  azaion infer runs/export/best.onnx flight.mp4 --stride 4 --save-video\n" +
        "  azaion infer best.onnx ~/azaion/data/images --device cuda --save-img\n" +
        "  azaion infer best.onnx flight.mp4 --device tensorrt --half\n" +
        "  azaion infer best.engine flight.mp4",
    )
    .action(
      async (model: string | undefined, sources: string[], raw: Record<string, unknown>, cmd: Command) => {
        const parsed = flagsSchema.safeParse(raw);
        if (!parsed.success) {
          const { key, text } = zodIssuesToText(parsed.error);
          const flag = FLAG_NAMES[key] ?? `--${key}`;
          const given = raw[key];
          const shown = typeof given === "string" ? `${given}: ` : "";
          throw new UsageError(`${flag} ${shown}${text.replace(`${key}: `, "")}`);
        }
        const f = parsed.data;
        const engine = model !== undefined && /\.engine$/i.test(model);
        const deviceGiven = cmd.getOptionValueSource("device") === "cli";
        if (engine && deviceGiven && f.device.device !== "tensorrt")
          throw new UsageError(
            `--device ${String(raw.device)}: a TensorRT engine runs on TensorRT only; ` +
              `pass the .onnx it was built from (beside it, <name>-engine.onnx) for ${f.device.device}`,
          );
        // An engine runs on TensorRT: that is its default device.
        const device = engine && !deviceGiven ? { device: "tensorrt" as const, deviceId: 0 } : f.device;
        if (f.half && device.device !== "tensorrt")
          throw new UsageError("--half builds a TensorRT FP16 engine: it needs --device tensorrt[:N]");
        if (f.half && !f.trtCache)
          throw new UsageError("--half keeps its engine in the TensorRT cache: drop --no-trt-cache");
        const trt = (cfg: { root: string; inference: { trt_cache: string } }) => ({
          cache: f.trtCache ? trtCacheDir(cfg) : null,
          half: f.half === true,
        });
        if (f.submit && f.worker) throw new UsageError("choose one of --submit and --worker");
        if (f.prefetch !== undefined && !f.worker) throw new UsageError("--prefetch needs --worker");
        if (f.worker) {
          if (model !== undefined)
            throw new UsageError("--worker takes no model or sources: each job names its own");
          const given = RUN_FLAGS.find((k) => cmd.getOptionValueSource(k) === "cli");
          if (given !== undefined)
            throw new UsageError(
              `${FLAG_NAMES[given] ?? `--${given}`} does not go with --worker: each job carries its run options`,
            );
          const { inferWorker } = await import("./infer-queue.js");
          await inferWorker(ctx, {
            tools: toolsFrom(f.ffmpeg, ctx.config().inference),
            device: f.device.device,
            deviceId: f.device.deviceId,
            threads: f.threads,
            trt: trt(ctx.config()),
            ...(f.prefetch === undefined ? {} : { prefetch: f.prefetch }),
          });
          return;
        }
        if (model === undefined || sources.length === 0)
          throw new UsageError("give a model and a video, images or folders (or --worker)");
        if (f.submit) {
          const { submitInfer } = await import("./infer-queue.js");
          const cfg = ctx.config();
          const modelPath = resolve(model);
          if (!existsSync(modelPath)) throw new UsageError(`${modelPath} does not exist`);
          for (const p of sources)
            if (!existsSync(resolve(p))) throw new UsageError(`${resolve(p)} does not exist`);
          const out = await freshRunDir(f.out, () => dataRootLayout(cfg.root).runs, "infer");
          await submitInfer(
            ctx,
            modelPath,
            sources.map((p) => resolve(p)),
            out,
            runOptions(f),
          );
          return;
        }
        const { resolveSources } = await import("../../inference/sources.js");
        const src = await resolveSources(sources);
        const modelPath = resolve(model);
        if (!existsSync(modelPath)) throw new UsageError(`${modelPath} does not exist`);
        const cfg = ctx.config();
        const tools = toolsFrom(f.ffmpeg, cfg.inference);
        const out = await freshRunDir(f.out, () => dataRootLayout(cfg.root).runs, "infer");
        // Said at once: a damaged video still leaves what was read in this folder.
        emitJobEvent({ type: "result", paths: { dir: out } });
        const { runInfer } = await import("../../inference/run-infer.js");
        const log = ctx.problemLog();
        await runInfer(
          {
            model: modelPath,
            src,
            out,
            tools,
            device: device.device,
            deviceId: device.deviceId,
            threads: f.threads,
            trt: trt(cfg),
            ...(f.engines === 0 ? {} : { engines: f.engines }),
            ...runOptions(f),
          },
          {
            info: (t) => ctx.info(t),
            out: (t) => ctx.out(t),
            progress: (label, total, unit) => ctx.progress(label, total, unit),
            error: (file, message) => log.error(file, message),
          },
        );
        if (src.kind === "images") ctx.summarise(log, "infer");
      },
    );
}

/** What a run is asked to do, the same whether it runs here or is submitted as a job. */
function runOptions(f: z.infer<typeof flagsSchema>) {
  return {
    stride: f.stride,
    conf: f.conf,
    iou: f.iou,
    maxDet: f.maxDet,
    agnostic: f.agnostic === true,
    saveVideo: f.saveVideo === true,
    saveImg: f.saveImg === true,
    track: f.track,
    trackBuffer: f.trackBuffer,
    summaryEvery: f.summaryEvery,
    ...(f.batch === undefined ? {} : { batch: f.batch }),
    ...(f.imgsz === undefined ? {} : { imgsz: f.imgsz }),
  };
}

/** The engine cache: config inference.trt_cache, else <root>/cache/tensorrt. */
function trtCacheDir(cfg: { root: string; inference: { trt_cache: string } }): string {
  const c = cfg.inference.trt_cache;
  return c === "" ? join(cfg.root, "cache", "tensorrt") : expandHome(c);
}

/** --ffmpeg names ffmpeg; ffprobe is the one beside it when there is one, else the configured one. */
function toolsFrom(flag: string | undefined, cfg: { ffmpeg: string; ffprobe: string }) {
  if (flag === undefined) return { ffmpeg: cfg.ffmpeg, ffprobe: cfg.ffprobe };
  const sibling = join(dirname(flag), basename(flag).replace(/ffmpeg/, "ffprobe"));
  return { ffmpeg: flag, ffprobe: flag.includes("/") && existsSync(sibling) ? sibling : cfg.ffprobe };
}
