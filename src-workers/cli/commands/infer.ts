/** `azaion infer`: run an ONNX detector on a video or on images with ONNX Runtime. */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
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
  ffmpeg: z.string().min(1).optional(),
});

const FLAG_NAMES: Record<string, string> = {
  maxDet: "--max-det",
  trackBuffer: "--track-buffer",
  summaryEvery: "--summary-every",
};

export function registerInfer(program: Command, ctx: CliContext): void {
  program
    .command("infer")
    .description(
      "detect objects in a video or in images with an ONNX model (ONNX Runtime); tracks objects in videos",
    )
    .argument("<model>", "an exported detector (.onnx)")
    .argument("<sources...>", "one video file, or image files and folders of images")
    .option(
      "--device <name>",
      "cpu, cuda[:N] or tensorrt[:N]; a provider that cannot start falls back to the next",
      "cpu",
    )
    .option("--stride <n>", "infer every n-th video frame", "4")
    .option("--batch <n>", "images per run (default: the model's largest batch, 8 at most)")
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
    .option("--threads <n>", "CPU threads per operator (0: one per core)", "0")
    .option(
      "--ffmpeg <path>",
      "the ffmpeg program (default: config inference.ffmpeg); ffprobe is taken from beside it",
    )
    .addHelpText(
      "after",
      "\nWrites detections.jsonl (a line per sampled frame or image: boxes in source pixels, scores, class names,\n" +
        "track ids), summary.csv (per class over time, or per class for images) and run.json. A truncated or\n" +
        "damaged video is reported with how far it was read, after what was read is written; the exit code is then 1.\n\n" +
        "Examples:\n  azaion infer runs/export/best.onnx flight.mp4 --stride 4 --save-video\n" +
        "  azaion infer best.onnx ~/azaion/data/images --device cuda --save-img",
    )
    .action(async (model: string, sources: string[], raw: Record<string, unknown>) => {
      const parsed = flagsSchema.safeParse(raw);
      if (!parsed.success) {
        const { key, text } = zodIssuesToText(parsed.error);
        const flag = FLAG_NAMES[key] ?? `--${key}`;
        const given = raw[key];
        const shown = typeof given === "string" ? `${given}: ` : "";
        throw new UsageError(`${flag} ${shown}${text.replace(`${key}: `, "")}`);
      }
      const f = parsed.data;
      const { resolveSources } = await import("../../inference/sources.js");
      const src = await resolveSources(sources);
      const modelPath = resolve(model);
      if (!existsSync(modelPath)) throw new UsageError(`${modelPath} does not exist`);
      const cfg = ctx.config();
      const tools = toolsFrom(f.ffmpeg, cfg.inference);
      const out = await freshRunDir(f.out, () => dataRootLayout(cfg.root).runs, "infer");
      const { runInfer } = await import("../../inference/run-infer.js");
      const log = ctx.problemLog();
      await runInfer(
        {
          model: modelPath,
          src,
          out,
          tools,
          device: f.device.device,
          deviceId: f.device.deviceId,
          threads: f.threads,
          ...(f.batch === undefined ? {} : { batch: f.batch }),
          ...(f.imgsz === undefined ? {} : { imgsz: f.imgsz }),
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
        },
        {
          info: (t) => ctx.info(t),
          out: (t) => ctx.out(t),
          progress: (label, total, unit) => ctx.progress(label, total, unit),
          error: (file, message) => log.error(file, message),
        },
      );
      if (src.kind === "images") ctx.summarise(log, "infer");
    });
}

/** --ffmpeg names ffmpeg; ffprobe is the one beside it when there is one, else the configured one. */
function toolsFrom(flag: string | undefined, cfg: { ffmpeg: string; ffprobe: string }) {
  if (flag === undefined) return { ffmpeg: cfg.ffmpeg, ffprobe: cfg.ffprobe };
  const sibling = join(dirname(flag), basename(flag).replace(/ffmpeg/, "ffprobe"));
  return { ffmpeg: flag, ffprobe: flag.includes("/") && existsSync(sibling) ? sibling : cfg.ffprobe };
}
