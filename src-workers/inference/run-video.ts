/**
 * Inference on a video: ffmpeg decodes (its own process), this thread letterboxes the next batch
 * while the engines' threads run the earlier ones, and results are handled in order: tracking, a
 * JSON line per sampled frame, the summary, and with saveVideo every frame drawn (boxes held
 * between samples) and encoded. At most one batch more than there are engines is in flight (each
 * engine busy and one queued behind), so memory stays bounded however long the video.
 */
import { performance } from "node:perf_hooks";
import type { ClassStyle } from "../yolo/predict/styles.js";
import type { OnnxDetector } from "./detector.js";
import { blendOverlay, EMPTY_OVERLAY, renderOverlay, type Overlay } from "./overlay.js";
import type { RunOutputs } from "./outputs.js";
import type { SourceBox } from "./postprocess.js";
import { TimeSummary } from "./summary.js";
import { Tracker, type TrackerOptions } from "./tracker.js";
import type { FrameResult, InferDetection } from "./types.js";
import { readFrames, type ReadSummary, type VideoFrame } from "./video-reader.js";
import { VideoEncoder } from "./video-writer.js";
import { expectedFrames, type FfmpegTools, type VideoInfo } from "./video-probe.js";

export interface VideoRunOptions {
  readonly stride: number;
  readonly conf: number;
  readonly iou: number;
  readonly maxDet: number;
  readonly agnostic: boolean;
  /** Tracker settings, or false for no tracking (track ids all null). */
  readonly track: Partial<TrackerOptions> | false;
  readonly saveVideo: boolean;
  /** Seconds per row of the summary. */
  readonly summaryEvery: number;
  readonly tools: FfmpegTools;
  readonly styles: readonly ClassStyle[];
  /** Called after each sampled frame is handled, with the count so far. */
  readonly onFrame?: (sampledDone: number) => void;
}

/**
 * Where the time goes. Stages overlap, so these do not add up to the wall time: decodeWaitMs is how
 * long this thread waited for ffmpeg (other work interleaves), the others are busy time of a stage.
 */
export interface StageTimes {
  decodeWaitMs: number;
  letterboxMs: number;
  /** In the engine's thread: session run, then NMS/filtering. */
  inferMs: number;
  postMs: number;
  /** Tracking and building the results (on this thread). */
  trackMs: number;
  /** Rasterising overlays, blending and handing frames to the encoder (saveVideo). */
  drawMs: number;
  wallMs: number;
}

export interface VideoRunStats {
  /** Frames decoded. */
  readonly frames: number;
  /** Decoder errors and warnings ffmpeg reported along the way. */
  readonly problems: readonly string[];
  readonly problemCount: number;
  /** Why reading stopped early (a truncated or damaged file); what was read is in the outputs. */
  readonly error?: Error;
  readonly sampled: number;
  readonly detections: number;
  readonly tracks: number;
  readonly times: StageTimes;
  readonly summaryCsv: string;
}

/** Sampled frames the run should see (for a progress total). */
export function expectedSampled(video: VideoInfo, stride: number): number | undefined {
  const n = expectedFrames(video);
  return n === undefined ? undefined : Math.ceil(n / stride);
}

export async function inferVideo(
  detector: OnnxDetector,
  video: VideoInfo,
  out: RunOutputs,
  o: VideoRunOptions,
): Promise<VideoRunStats> {
  const t0 = performance.now();
  const times: StageTimes = {
    decodeWaitMs: 0,
    letterboxMs: 0,
    inferMs: 0,
    postMs: 0,
    trackMs: 0,
    drawMs: 0,
    wallMs: 0,
  };
  const tracker = o.track === false ? undefined : new Tracker({ high: o.conf, newTrack: o.conf, ...o.track });
  const nmsConf = tracker ? Math.min(o.conf, tracker.options.low) : o.conf;
  const post = { conf: nmsConf, iou: o.iou, maxDet: o.maxDet, agnostic: o.agnostic };
  const summary = new TimeSummary(o.summaryEvery);
  const encoder = o.saveVideo ? new VideoEncoder(out.path("video"), o.tools, video) : undefined;
  const ids = new Set<number>();
  let sampled = 0;
  // Frames decoded but not yet drawn and encoded (saveVideo only), and the overlay now showing.
  const pending: VideoFrame[] = [];
  const depth = detector.engines + 1;
  // Drawing holds every frame of the batches in flight and the one being filled (`stride` frames
  // per image): smaller batches for big frames keep that under SAVE_VIDEO_BUDGET bytes.
  const frameBytes = video.width * video.height * 3;
  const batch = o.saveVideo
    ? Math.max(
        1,
        Math.min(detector.batch, Math.floor(SAVE_VIDEO_BUDGET / ((depth + 1) * o.stride * frameBytes))),
      )
    : detector.batch;
  let overlay: Overlay = EMPTY_OVERLAY;

  const handle = async (frames: readonly VideoFrame[], boxes: readonly SourceBox[][]): Promise<void> => {
    for (const [i, f] of frames.entries()) {
      const t = performance.now();
      const result = frameResult(f, boxes[i]!, tracker, o.conf, detector);
      for (const d of result.detections) if (d.track !== null) ids.add(d.track);
      summary.add(result);
      times.trackMs += performance.now() - t;
      await out.write(result);
      if (encoder) {
        const td = performance.now();
        overlay = await renderOverlay(result.detections, video.width, video.height, o.styles);
        // This overlay shows until the next sampled frame: draw and encode everything before it.
        while (pending.length > 0 && pending[0]!.index < f.index + o.stride) {
          const frame = pending.shift()!;
          blendOverlay(frame.data, overlay);
          await encoder.write(frame.data);
        }
        times.drawMs += performance.now() - td;
      }
      sampled++;
      o.onFrame?.(sampled);
    }
  };

  const inFlight: Promise<void>[] = [];
  let chain: Promise<void> = Promise.resolve();
  const launch = async (slot: ReturnType<OnnxDetector["slot"]>, frames: VideoFrame[]): Promise<void> => {
    // `depth` batches in the engines at most: wait for the oldest one's results first.
    if (inFlight.length >= depth) await inFlight.shift();
    const detecting = detector.detect(slot, post);
    detecting.catch(() => undefined); // reached through the chain; no unhandled rejection meanwhile
    // Results are handled in order: batch k's after batch k-1's.
    chain = chain.then(() => detecting).then((boxes) => handle(frames, boxes));
    chain.catch(() => undefined);
    inFlight.push(chain);
  };

  const reader = readFrames(video, o.tools, { stride: o.stride, all: o.saveVideo });
  let read: ReadSummary | undefined;
  let readError: Error | undefined;
  try {
    let slot = detector.slot();
    let frames: VideoFrame[] = [];
    for (;;) {
      const td = performance.now();
      let next: IteratorResult<VideoFrame, ReadSummary>;
      try {
        next = await reader.next();
      } catch (err) {
        // A damaged or truncated file: what was read is still inferred and written.
        readError = err as Error;
        break;
      } finally {
        times.decodeWaitMs += performance.now() - td;
      }
      if (next.done) {
        read = next.value;
        break;
      }
      const f = next.value;
      if (encoder) pending.push(f);
      if (!f.sampled) continue;
      const tl = performance.now();
      detector.add(slot, { data: f.data, width: video.width, height: video.height });
      times.letterboxMs += performance.now() - tl;
      frames.push(encoder ? f : { ...f, data: EMPTY });
      if (frames.length === batch) {
        await launch(slot, frames);
        slot = detector.slot();
        frames = [];
      }
    }
    if (frames.length > 0) await launch(slot, frames);
    await chain;
    if (encoder) {
      // Frames after the last sampled one keep its boxes.
      for (const frame of pending.splice(0)) {
        blendOverlay(frame.data, overlay);
        await encoder.write(frame.data);
      }
      await encoder.close();
    }
  } catch (err) {
    encoder?.abort();
    await reader.return(undefined as never).catch(() => undefined);
    await chain.catch(() => undefined);
    throw err;
  }
  times.inferMs = detector.times.inferMs;
  times.postMs = detector.times.postMs;
  times.wallMs = performance.now() - t0;
  return {
    frames: read?.frames ?? (encoder ? encoder.frames : sampled),
    problems: read?.problems ?? [],
    problemCount: read?.problemCount ?? 0,
    ...(readError ? { error: readError } : {}),
    sampled,
    detections: out.detections,
    tracks: ids.size,
    times,
    summaryCsv: summary.csv(),
  };
}

const EMPTY = new Uint8Array(0);

/** Bytes of decoded frames --save-video may hold at once. */
export const SAVE_VIDEO_BUDGET = 512 << 20;

/** Track, then keep what is confident enough or continues a track. */
function frameResult(
  f: VideoFrame,
  boxes: readonly SourceBox[],
  tracker: Tracker | undefined,
  conf: number,
  detector: OnnxDetector,
): FrameResult {
  const trackIds = tracker ? tracker.update(boxes) : boxes.map(() => null);
  const detections: InferDetection[] = [];
  boxes.forEach((b, i) => {
    const track = trackIds[i] ?? null;
    if (b.conf < conf && track === null) return;
    detections.push({ xyxy: b.xyxy, conf: b.conf, cls: b.cls, name: detector.nameOf(b.cls), track });
  });
  return { frame: f.index, time: f.time, detections };
}
