/**
 * Encoding RGB frames into an H.264 MP4 with ffmpeg (libx264) through a pipe, honouring the pipe's
 * back-pressure so memory stays flat however long the video is.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { AzaionError } from "../core/errors.js";
import type { FfmpegTools, Rational } from "./video-probe.js";

export interface EncoderOptions {
  readonly width: number;
  readonly height: number;
  readonly fps: Rational;
  /** x264 constant rate factor: 23 is its default, lower is better and bigger. */
  readonly crf?: number;
  readonly preset?: string;
}

export class VideoEncoder {
  frames = 0;
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private stderr = "";
  private readonly exited: Promise<{ code: number | null; error?: Error }>;
  private readonly frameBytes: number;

  constructor(
    readonly file: string,
    tools: FfmpegTools,
    readonly options: EncoderOptions,
  ) {
    const { width, height, fps } = options;
    this.frameBytes = width * height * 3;
    // yuv420p needs even sizes: an odd edge is padded by one pixel.
    const pad = width % 2 || height % 2 ? ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"] : [];
    const args = [
      ...["-hide_banner", "-nostdin", "-nostats", "-loglevel", "error"],
      ...["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${width}x${height}`, "-r", `${fps.num}/${fps.den}`],
      ...["-i", "pipe:0", ...pad, "-c:v", "libx264", "-preset", options.preset ?? "veryfast"],
      ...["-crf", String(options.crf ?? 23), "-pix_fmt", "yuv420p", "-movflags", "+faststart"],
      ...["-y", file],
    ];
    this.child = spawn(tools.ffmpeg, args, { stdio: ["pipe", "ignore", "pipe"] });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (s: string) => {
      if (this.stderr.length < 8192) this.stderr += s;
    });
    // A write to a pipe ffmpeg has closed reports EPIPE: the exit code below says why.
    this.child.stdin.on("error", () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on("error", (error) => resolve({ code: null, error }));
      this.child.on("close", (code) => resolve({ code }));
    });
  }

  /** Queue one frame; resolves when the pipe can take more. */
  async write(rgb: Uint8Array): Promise<void> {
    if (rgb.length !== this.frameBytes)
      throw new RangeError(`frame of ${rgb.length} bytes, expected ${this.frameBytes}`);
    this.frames++;
    if (this.child.stdin.write(rgb)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.child.stdin.off("drain", done);
        this.child.off("close", done);
        resolve();
      };
      this.child.stdin.on("drain", done);
      this.child.on("close", done);
    });
    if (this.child.exitCode !== null) await this.close();
  }

  /** Finish the file; throws when ffmpeg failed. */
  async close(): Promise<void> {
    this.child.stdin.end();
    const r = await this.exited;
    if (r.error)
      throw new AzaionError(`cannot run ffmpeg to write ${this.file}: ${r.error.message}`, "E_FFMPEG");
    if (r.code !== 0)
      throw new AzaionError(
        `ffmpeg failed writing ${this.file} (exit ${r.code}): ${this.stderr.trim().split("\n").slice(-3).join("; ")}`,
        "E_FFMPEG",
      );
  }

  /** Stop without finishing (after an error elsewhere). */
  abort(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}
