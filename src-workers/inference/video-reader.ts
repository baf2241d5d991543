/**
 * Decoding a video with ffmpeg into raw RGB frames streamed through a pipe (never the whole video in
 * memory). With a stride, ffmpeg's select filter drops the other frames before colour conversion
 * (about twice as fast as dropping them here); `all` decodes every frame and marks the sampled ones
 * (for drawing an annotated copy). Timestamps come from showinfo's pts, exact for any frame rate.
 */
import { spawn } from "node:child_process";
import { DataError } from "../core/errors.js";
import { FfmpegLog } from "./showinfo.js";
import { expectedFrames, type FfmpegTools, type VideoInfo } from "./video-probe.js";

export interface VideoFrame {
  /** Frame number in the stream, from 0. */
  readonly index: number;
  /** Presentation time (s) from the start of the file. */
  readonly time: number;
  /** Interleaved RGB, width x height x 3. */
  readonly data: Uint8Array;
  /** Whether this frame is one of every stride-th (always true without `all`). */
  readonly sampled: boolean;
}

export interface ReadOptions {
  readonly stride: number;
  /** Decode every frame (sampled ones marked) instead of only every stride-th. */
  readonly all?: boolean;
}

export interface ReadSummary {
  /** Frames delivered. */
  readonly frames: number;
  readonly sampled: number;
  /** Decoder errors and warnings ffmpeg reported (the run went on through them). */
  readonly problems: readonly string[];
  readonly problemCount: number;
}

/** ffmpeg's arguments for reading `file` as rgb24 on stdout, with showinfo on stderr. */
export function decodeArgs(file: string, o: ReadOptions): string[] {
  const info = "showinfo=checksum=0";
  const filter = o.all || o.stride === 1 ? info : `select=not(mod(n\\,${o.stride})),${info}`;
  return [
    ...["-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info"],
    ...["-i", file, "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", filter],
    // passthrough: no frames duplicated to fill the gaps select leaves.
    ...["-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
  ];
}

/**
 * Frames of `video` in order. Ends with a DataError naming the file when ffmpeg fails or the
 * stream ends well before the frame count the container gives (a truncated file).
 */
export async function* readFrames(
  video: VideoInfo,
  tools: FfmpegTools,
  o: ReadOptions,
): AsyncGenerator<VideoFrame, ReadSummary> {
  if (!Number.isInteger(o.stride) || o.stride < 1)
    throw new RangeError(`stride ${o.stride} is not a whole number >= 1`);
  const file = video.file;
  const frameBytes = video.width * video.height * 3;
  const child = spawn(tools.ffmpeg, decodeArgs(file, o), { stdio: ["ignore", "pipe", "pipe"] });
  const log = new FfmpegLog();
  let stderrDone = false;
  let wake: (() => void) | undefined;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (s: string) => {
    if (log.push(s) > 0) wake?.();
  });
  child.stderr.on("end", () => {
    log.end();
    stderrDone = true;
    wake?.();
  });
  const exited = new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
    child.on("error", (error) => resolve({ code: null, signal: null, error }));
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  const timeOf = async (k: number): Promise<number> => {
    // showinfo logs a frame before ffmpeg writes it, so its line is normally here already.
    while (log.times.length <= k && !stderrDone) await new Promise<void>((r) => (wake = r));
    const t = log.times[k];
    if (t === undefined) throw new DataError(`ffmpeg gave frame ${k} but no timestamp for it`, file);
    return t;
  };

  let delivered = 0;
  let sampled = 0;
  let finished = false;
  try {
    let buf = Buffer.allocUnsafe(frameBytes);
    let filled = 0;
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - off);
        chunk.copy(buf, filled, off, off + n);
        filled += n;
        off += n;
        if (filled < frameBytes) continue;
        const k = delivered++;
        const index = o.all ? k : k * o.stride;
        const isSampled = index % o.stride === 0;
        if (isSampled) sampled++;
        yield {
          index,
          time: await timeOf(k),
          data: new Uint8Array(buf.buffer, buf.byteOffset, frameBytes),
          sampled: isSampled,
        };
        buf = Buffer.allocUnsafe(frameBytes);
        filled = 0;
      }
    }
    const end = await exited;
    if (end.error) {
      const missing = (end.error as NodeJS.ErrnoException).code === "ENOENT";
      throw new DataError(
        missing
          ? `cannot run ffmpeg (${tools.ffmpeg}): not found; install ffmpeg or set inference.ffmpeg`
          : `cannot run ffmpeg: ${end.error.message}`,
        file,
      );
    }
    const why = log.problems.length > 0 ? ` (ffmpeg: ${log.problems.slice(-3).join("; ")})` : "";
    if (filled > 0 && end.code === 0)
      throw new DataError(
        `ffmpeg stopped inside frame ${delivered} (${filled} of ${frameBytes} bytes)`,
        file,
      );
    const expected = expectedFrames(video);
    const want = expected === undefined ? undefined : o.all ? expected : Math.ceil(expected / o.stride);
    // One frame of slack: a frame count estimated from the duration can be off by one.
    if (want !== undefined && delivered < want - 1) {
      const last =
        delivered === 0 ? "none" : `the last is frame ${o.all ? delivered - 1 : (delivered - 1) * o.stride}`;
      throw new DataError(
        `the file ends early: read ${delivered} of the ${want}${video.frames === undefined ? " or so" : ""} ` +
          `${o.all || o.stride === 1 ? "" : "sampled "}frames the stream should hold (${last} of ${expected} frames)${why}`,
        file,
      );
    }
    if (end.code !== 0)
      throw new DataError(
        `ffmpeg failed after ${delivered} frames (exit ${end.code ?? end.signal})${why}`,
        file,
      );
    finished = true;
    return { frames: delivered, sampled, problems: log.problems, problemCount: log.problemCount };
  } finally {
    // The consumer stopped early (or failed): stop ffmpeg rather than let it block on a full pipe.
    if (!finished && child.exitCode === null) child.kill("SIGKILL");
  }
}
