/**
 * One `azaion infer` run: open the model, run it on the video or the images, write the outputs,
 * say what happened. Reports through a small interface (the CLI's context fits it).
 */
import { performance } from "node:perf_hooks";
import { DataError } from "../core/errors.js";
import { classCatalog } from "../core/classes.js";
import { classStyles } from "../yolo/predict/styles.js";
import { OnnxDetector } from "./detector.js";
import { RunOutputs } from "./outputs.js";
import { inferImages } from "./run-images.js";
import { expectedSampled, inferVideo, type VideoRunStats } from "./run-video.js";
import type { TrtOptions } from "./open-model.js";
import type { Device } from "./session.js";
import type { Sources } from "./sources.js";
import { expectedFrames, probeVideo, type FfmpegTools } from "./video-probe.js";

export interface InferReporter {
  info(text: string): void;
  out(text: string): void;
  progress(label: string, total?: number, unit?: string): { tick(n?: number): void; finish(): void };
  /** A problem with one input that does not stop the run (sets a failing exit code). */
  error(file: string, message: string): void;
}

export interface InferSettings {
  readonly model: string;
  readonly src: Sources;
  readonly out: string;
  readonly tools: FfmpegTools;
  readonly device: Device;
  readonly deviceId: number;
  readonly threads: number;
  /** TensorRT: engine cache folder (null: none) and FP16; default no cache, FP32. */
  readonly trt?: TrtOptions;
  /** ONNX Runtime sessions side by side (default: the detector's choice). */
  readonly engines?: number;
  readonly batch?: number;
  readonly imgsz?: number;
  readonly stride: number;
  readonly conf: number;
  readonly iou: number;
  readonly maxDet: number;
  readonly agnostic: boolean;
  readonly saveVideo: boolean;
  readonly saveImg: boolean;
  readonly track: boolean;
  readonly trackBuffer: number;
  readonly summaryEvery: number;
}

export interface InferOutcome {
  readonly dir: string;
  readonly detections: number;
  /** Sampled frames or images done. */
  readonly items: number;
  readonly video?: VideoRunStats;
}

/** Runs; a video that ends early is reported (after its frames are written) by throwing a DataError. */
export async function runInfer(s: InferSettings, r: InferReporter): Promise<InferOutcome> {
  // Probe first: a file that is not a video fails before the model is loaded.
  const video = s.src.kind === "video" ? await probeVideo(s.src.file, s.tools) : undefined;
  const detector = await OnnxDetector.open(s.model, {
    device: s.device,
    deviceId: s.deviceId,
    threads: s.threads,
    onNote: (t) => r.info(`infer: ${t}`),
    ...(s.trt === undefined ? {} : { trt: s.trt }),
    ...(s.engines === undefined ? {} : { engines: s.engines }),
    ...(s.batch === undefined ? {} : { batch: s.batch }),
    ...(s.imgsz === undefined ? {} : { imgsz: s.imgsz }),
  });
  try {
    const d = detector.description;
    for (const note of d.notes) r.info(`infer: ${note}`);
    const nms = detector.kind === "nms" ? detector.info.nms : undefined;
    if (nms && s.conf < nms.conf)
      r.info(
        `infer: the model's NMS keeps scores above ${nms.conf} only, so --conf ${s.conf} finds no more than that`,
      );
    r.info(
      `infer: ${detector.names.length} classes, ${detector.width}x${detector.height} input, batch ${detector.batch}, ` +
        `${detector.kind === "nms" ? "NMS inside the model" : "NMS here"}, on ${d.device}` +
        (detector.engines > 1 ? ` (${detector.engines} sessions side by side)` : ""),
    );
    const styles = classStyles(detector.names, Math.max(detector.names.length, 1), classCatalog());
    const outputs = await RunOutputs.create(s.out);
    const t0 = performance.now();
    try {
      if (video) {
        const total = expectedSampled(video, s.stride);
        const bar = r.progress("infer", total, "frame");
        let stats: VideoRunStats;
        try {
          stats = await inferVideo(detector, video, outputs, {
            stride: s.stride,
            conf: s.conf,
            iou: s.iou,
            maxDet: s.maxDet,
            agnostic: s.agnostic,
            track: s.track ? { buffer: s.trackBuffer } : false,
            saveVideo: s.saveVideo,
            summaryEvery: s.summaryEvery,
            tools: s.tools,
            styles,
            onFrame: () => bar.tick(),
          });
        } finally {
          bar.finish();
        }
        const secs = (performance.now() - t0) / 1000;
        await outputs.finish(stats.summaryCsv, {
          model: s.model,
          source: video.file,
          device: d.device,
          input: [detector.height, detector.width],
          batch: detector.batch,
          engines: detector.engines,
          video: {
            width: video.width,
            height: video.height,
            fps: video.fps.num / video.fps.den,
            frames: video.frames ?? null,
          },
          stride: s.stride,
          conf: s.conf,
          iou: s.iou,
          frames_decoded: stats.frames,
          frames_sampled: stats.sampled,
          detections: stats.detections,
          tracks: stats.tracks,
          seconds: round(secs, 3),
          sampled_fps: round(stats.sampled / Math.max(secs, 1e-3), 2),
          stage_ms: Object.fromEntries(
            Object.entries(stats.times as unknown as Record<string, number>).map(([k, v]) => [
              k,
              round(v, 1),
            ]),
          ),
          decoder_problems: stats.problemCount,
          complete: stats.error === undefined,
          ...(stats.error ? { error: stats.error.message } : {}),
        });
        if (stats.problemCount > 0 && !stats.error)
          r.info(
            `infer: ffmpeg reported ${stats.problemCount} decoding problem(s), first: ${stats.problems[0] ?? "?"}`,
          );
        r.out(
          `infer: ${stats.sampled} sampled frames (every ${ordinal(s.stride)}${total === undefined ? "" : ` of ${expectedFrames(video)}`}), ` +
            `${stats.detections} detections, ` +
            `${stats.tracks} tracks in ${secs.toFixed(1)} s (${(stats.sampled / Math.max(secs, 1e-3)).toFixed(1)} frames/s) -> ${s.out}`,
        );
        if (stats.error)
          throw stats.error instanceof DataError
            ? stats.error
            : new DataError(stats.error.message, video.file);
        return { dir: s.out, detections: stats.detections, items: stats.sampled, video: stats };
      }
      const files = s.src.kind === "images" ? s.src.files : [];
      const bar = r.progress("infer", files.length, "img");
      let stats;
      try {
        stats = await inferImages(detector, files, outputs, {
          conf: s.conf,
          iou: s.iou,
          maxDet: s.maxDet,
          agnostic: s.agnostic,
          saveImg: s.saveImg,
          styles,
          onFailure: (file, error) => r.error(file, error),
          onImage: () => bar.tick(),
        });
      } finally {
        bar.finish();
      }
      const secs = (performance.now() - t0) / 1000;
      await outputs.finish(stats.summaryCsv, {
        model: s.model,
        device: d.device,
        input: [detector.height, detector.width],
        batch: detector.batch,
        engines: detector.engines,
        conf: s.conf,
        iou: s.iou,
        images: stats.images,
        failed: stats.failed,
        detections: stats.detections,
        seconds: round(secs, 3),
      });
      r.out(
        `infer: ${stats.images} images, ${stats.detections} detections in ${secs.toFixed(1)} s ` +
          `(${(stats.images / Math.max(secs, 1e-3)).toFixed(1)} img/s) -> ${s.out}`,
      );
      return { dir: s.out, detections: stats.detections, items: stats.images };
    } finally {
      await outputs.close();
    }
  } finally {
    await detector.close();
  }
}

function ordinal(n: number): string {
  if (n === 1) return "frame";
  const tail = n % 100 >= 11 && n % 100 <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${tail}`;
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
