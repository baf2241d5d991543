/**
 * The test video the shapes model (tests/data/yolo11) detects things in: 30 frames of 320x288 at
 * 10 fps (scale 1 at 320 px, so the model sees the photo's own pixels), the crop (100, 25, 200x250)
 * of val_00003.jpg at (10 + 2k, 5 + k) in frame k, on grey; every expected box is known exactly.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import sharp from "sharp";
import { repoRoot } from "./cli.js";

export const FIXTURES = join(repoRoot, "tests", "data", "yolo11");
export const VIDEO = { width: 320, height: 288, fps: 10, frames: 30 } as const;
export const CROP = { left: 100, top: 25, width: 200, height: 250 } as const;

/** Where frame k moved the photo's pixels: add it to a box found in val_00003.jpg. */
export const offset = (k: number): [number, number] => [10 + 2 * k - CROP.left, 5 + k - CROP.top];

/**
 * `lossless`: RGB H.264 at qp 0, so frames decode to exactly what was drawn. `browser`: ordinary
 * 4:2:0 H.264 that a <video> element plays. Both +faststart, so a cut file keeps its frame count.
 */
export async function makeShapesVideo(file: string, encoding: "lossless" | "browser"): Promise<void> {
  const { width: W, height: H, fps, frames } = VIDEO;
  const { data: crop } = await sharp(join(FIXTURES, "val_00003.jpg"))
    .extract(CROP)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const codec =
    encoding === "lossless"
      ? ["-c:v", "libx264rgb", "-qp", "0"]
      : ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "12"];
  const ff = spawn(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${W}x${H}`],
      ...["-r", String(fps), "-i", "pipe:0", ...codec, "-preset", "ultrafast"],
      ...["-threads", "1", "-movflags", "+faststart", "-y", file],
    ],
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  let err = "";
  ff.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((resolve) => ff.on("close", resolve));
  for (let k = 0; k < frames; k++) {
    const frame = Buffer.alloc(W * H * 3, 114);
    const [ox, oy] = [10 + 2 * k, 5 + k];
    for (let y = 0; y < CROP.height; y++)
      crop.copy(frame, ((oy + y) * W + ox) * 3, y * CROP.width * 3, (y + 1) * CROP.width * 3);
    if (!ff.stdin.write(frame)) await new Promise((r) => ff.stdin.once("drain", r));
  }
  ff.stdin.end();
  const code = await done;
  if (code !== 0) throw new Error(`ffmpeg could not make ${file} (exit ${code}): ${err}`);
}
