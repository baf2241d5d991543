/**
 * The demo's video: a window panning down a strip of the demo's synthetic images, as if a drone
 * flew over them, encoded as H.264 with ffmpeg. A few seconds, so the demo stays quick.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { DataError } from "../core/errors.js";
import { isImageFile } from "../core/layout.js";
import type { FfmpegTools } from "./video-probe.js";
import { VideoEncoder } from "./video-writer.js";

export interface DemoVideoOptions {
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly seconds?: number;
  /** Images stacked into the strip the window pans over. */
  readonly images?: number;
}

export async function makeDemoVideo(
  imagesDir: string,
  file: string,
  tools: FfmpegTools,
  o: DemoVideoOptions = {},
): Promise<void> {
  const [width, height, fps] = [o.width ?? 640, o.height ?? 360, o.fps ?? 10];
  const frames = Math.round((o.seconds ?? 4) * fps);
  const names = (await readdir(imagesDir))
    .filter(isImageFile)
    .sort()
    .slice(0, o.images ?? 3);
  if (names.length === 0) throw new DataError("no images to make the demo video from", imagesDir);
  // Each image at the video's width, stacked top to bottom.
  const tiles = await Promise.all(
    names.map((n) =>
      sharp(join(imagesDir, n)).removeAlpha().resize({ width }).raw().toBuffer({ resolveWithObject: true }),
    ),
  );
  const strip = Buffer.concat(tiles.map((t) => t.data));
  const stripHeight = tiles.reduce((h, t) => h + t.info.height, 0);
  if (stripHeight < height)
    throw new DataError(`the images stack to ${stripHeight} px, less than ${height}`, imagesDir);
  const encoder = new VideoEncoder(file, tools, { width, height, fps: { num: fps, den: 1 } });
  try {
    for (let k = 0; k < frames; k++) {
      const top = Math.round(((stripHeight - height) * k) / Math.max(1, frames - 1));
      await encoder.write(strip.subarray(top * width * 3, (top + height) * width * 3));
    }
    await encoder.close();
  } catch (err) {
    encoder.abort();
    throw err;
  }
}
