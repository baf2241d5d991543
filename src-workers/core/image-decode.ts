/**
 * Decoding images: to RGB pixels (predictor, training data, augmentation) and the full-decode check
 * of validate --deep (the header check reads a few bytes; that one reads every pixel, so it catches
 * corrupt data inside a file whose header and end marker look fine).
 */
import sharp from "sharp";
import type { ImageHeader } from "./image-header.js";
import { ImageFileError } from "./image-reader.js";

/** Decode the whole image; throws ImageFileError "corrupt" when libvips cannot. BMP is header-checked only (libvips has no BMP loader). */
export async function decodeCheck(file: string, header: ImageHeader): Promise<void> {
  if (header.format === "bmp") return;
  try {
    // failOn "truncated" (not "error"): camera JPEGs often carry harmless warnings.
    // stats() decodes every pixel but returns a few numbers, so memory stays small.
    await sharp(file, { failOn: "truncated", limitInputPixels: false, sequentialRead: true }).stats();
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0] ?? "";
    throw new ImageFileError("corrupt", file, `cannot decode: ${msg}`);
  }
}

/** A decoded image: 8-bit RGB, interleaved, row-major, EXIF orientation applied. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface DecodeRgbOptions {
  /** libvips' failOn: "error" (default) refuses any decode error; "truncated" tolerates warnings. */
  readonly failOn?: "error" | "truncated";
  /** False lifts libvips' default limit of 268 megapixels. */
  readonly limitInputPixels?: boolean;
}

/** Decode a file or its bytes to RGB. Alpha is dropped (as OpenCV's imread does), grey is expanded. */
export async function decodeRgb(input: string | Buffer, o: DecodeRgbOptions = {}): Promise<RgbImage> {
  const { data, info } = await sharp(input, {
    failOn: o.failOn ?? "error",
    ...(o.limitInputPixels === false ? { limitInputPixels: false } : {}),
  })
    .autoOrient()
    .removeAlpha()
    .toColourspace("srgb")
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}
