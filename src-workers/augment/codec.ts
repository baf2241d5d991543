/**
 * Pixels in and out of the service: decode a source to RGB (EXIF orientation applied), encode a
 * variant as JPEG, and flush a written file to disk.
 */
import { open } from "node:fs/promises";
import sharp from "sharp";
import { decodeRgb } from "../core/image-decode.js";
import { ImageFileError, readImageHeader } from "../core/image-header.js";
import { JPEG_QUALITY } from "./state.js";
import type { RawImage } from "./types.js";

/** Something wrong with a source file: the source is quarantined with this message. */
export class SourceProblem extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/** Decoded RGB with EXIF orientation applied. A JPEG that needs no rotation is kept as it is for variant 0 (no second lossy pass). */
export async function decode(file: string, bytes: Buffer): Promise<{ raw: RawImage; copyOriginal: boolean }> {
  try {
    const header = await readImageHeader(file);
    // failOn "truncated", as in validate --deep: camera JPEGs often carry harmless warnings.
    const raw = await decodeRgb(bytes, { failOn: "truncated", limitInputPixels: false });
    return { raw, copyOriginal: header.format === "jpeg" && header.orientation === 1 };
  } catch (e) {
    if (e instanceof ImageFileError) throw new SourceProblem(file, e.reason);
    throw new SourceProblem(file, `cannot decode: ${(e as Error).message.split("\n")[0] ?? ""}`);
  }
}

export function checkRaw(img: RawImage): void {
  if (!(img.width > 0 && img.height > 0) || img.data.length !== img.width * img.height * 3)
    throw new Error(`returned ${img.data.length} bytes for ${img.width}x${img.height} RGB`);
}

export function encodeJpeg(img: RawImage): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer();
}

export async function syncFile(file: string): Promise<void> {
  const fh = await open(file, "r+");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
