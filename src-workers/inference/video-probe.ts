/**
 * What a video is, from ffprobe: frame size as decoded (display rotation applied, as ffmpeg applies
 * it when decoding), frame rates, and the frame count when the container records it.
 */
import { execFile } from "node:child_process";
import { z } from "zod";
import { DataError } from "../core/errors.js";
import { zodIssuesToText } from "../core/zod-text.js";

/** The ffmpeg and ffprobe programs: names on PATH or paths. */
export interface FfmpegTools {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

export interface Rational {
  readonly num: number;
  readonly den: number;
}

export interface VideoInfo {
  readonly file: string;
  readonly codec: string;
  /** Decoded frame size (after the display rotation ffmpeg applies). */
  readonly width: number;
  readonly height: number;
  /** The stream's average frame rate (r_frame_rate where that is unknown). */
  readonly fps: Rational;
  /** Frames in the stream when the container says (MP4, MOV); else undefined. */
  readonly frames: number | undefined;
  /** Seconds, when known. */
  readonly duration: number | undefined;
}

const numText = z.union([z.string(), z.number()]).optional();

const probeSchema = z.object({
  streams: z
    .array(
      z.object({
        codec_name: z.string().optional(),
        width: z.number().int().positive(),
        height: z.number().int().positive(),
        r_frame_rate: z.string().optional(),
        avg_frame_rate: z.string().optional(),
        nb_frames: numText,
        duration: numText,
        side_data_list: z.array(z.object({ rotation: z.number().optional() }).passthrough()).optional(),
        tags: z.object({ rotate: z.string().optional() }).passthrough().optional(),
      }),
    )
    .min(1),
  format: z.object({ duration: numText }).optional(),
});

export function parseRational(text: string | undefined): Rational | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text ?? "");
  if (!m) return undefined;
  const num = Number(m[1]);
  const den = Number(m[2]);
  return num > 0 && den > 0 ? { num, den } : undefined;
}

function positive(v: string | number | undefined): number | undefined {
  const n = typeof v === "number" ? v : v === undefined ? Number.NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The first video stream of `file`; a file ffprobe cannot open is a DataError naming it. */
export async function probeVideo(file: string, tools: FfmpegTools): Promise<VideoInfo> {
  const args = [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_streams",
    "-show_format",
    "-of",
    "json",
    file,
  ];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(tools.ffprobe, args, { maxBuffer: 16 << 20 }, (err, out, errText) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === "ENOENT")
        return reject(
          new DataError(
            `cannot run ffprobe (${tools.ffprobe}): not found; install ffmpeg or set inference.ffprobe`,
            file,
          ),
        );
      const lines = errText
        .trim()
        .split("\n")
        .map((l) => l.replace(/^\[[^\]]*\] /, "").replace(`${file}: `, ""));
      const why = [...new Set(lines.filter((l) => l !== ""))].slice(-3).join("; ") || err.message;
      reject(new DataError(`not a readable video: ${why}`, file));
    });
  });
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    throw new DataError("ffprobe gave no readable answer", file);
  }
  const parsed = probeSchema.safeParse(raw);
  if (!parsed.success) {
    const streams = (raw as { streams?: unknown[] }).streams;
    if (Array.isArray(streams) && streams.length === 0) throw new DataError("has no video stream", file);
    throw new DataError(`unexpected ffprobe answer: ${zodIssuesToText(parsed.error).text}`, file);
  }
  const s = parsed.data.streams[0]!;
  const fps = parseRational(s.avg_frame_rate) ?? parseRational(s.r_frame_rate);
  if (!fps) throw new DataError("the video stream has no frame rate", file);
  const rotation =
    s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? Number(s.tags?.rotate ?? 0);
  const quarter = Math.abs(Math.round(rotation / 90)) % 2 === 1;
  const frames = positive(s.nb_frames);
  return {
    file,
    codec: s.codec_name ?? "unknown",
    width: quarter ? s.height : s.width,
    height: quarter ? s.width : s.height,
    fps,
    frames: frames === undefined ? undefined : Math.round(frames),
    duration: positive(s.duration) ?? positive(parsed.data.format?.duration),
  };
}

/** Frames the stream should hold: the recorded count, else duration x frame rate (rounded). */
export function expectedFrames(v: VideoInfo): number | undefined {
  if (v.frames !== undefined) return v.frames;
  if (v.duration === undefined) return undefined;
  return Math.round((v.duration * v.fps.num) / v.fps.den);
}
