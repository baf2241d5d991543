/**
 * Full decode of an image (validate --deep): the header check reads a few bytes, this one reads
 * every pixel, so it catches corrupt data inside a file whose header and end marker look fine.
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
