/**
 * Is the image of a message usable? Its bytes must be the format its extension says and decode
 * completely (libvips, as the augmentation and training pipelines will read it). Checked before
 * anything is written, so a bad image is quarantined instead of landing in the dataset.
 */
import sharp from "sharp";

type Format = "jpeg" | "png" | "webp" | "tiff";

const BY_EXTENSION: Record<string, Format> = {
  ".jpg": "jpeg",
  ".jpeg": "jpeg",
  ".png": "png",
  ".webp": "webp",
  ".tif": "tiff",
  ".tiff": "tiff",
};

function sniff(b: Uint8Array): Format | undefined {
  const at = (i: number, ...bytes: number[]) => bytes.every((v, k) => b[i + k] === v);
  if (at(0, 0xff, 0xd8, 0xff)) return "jpeg";
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return "webp";
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return "tiff";
  return undefined;
}

export interface ImageInfo {
  readonly width: number;
  readonly height: number;
}

/** The image's size when it is usable, else the reason it is not. */
export async function checkImage(
  bytes: Uint8Array,
  extension: string,
): Promise<{ reason: string } | { info: ImageInfo }> {
  const expected = BY_EXTENSION[extension];
  const found = sniff(bytes);
  if (found === undefined) {
    const head = Buffer.from(bytes.subarray(0, 8)).toString("hex").replace(/(..)/g, "$1 ").trim();
    return { reason: `undecodable image: not a JPEG, PNG, WebP or TIFF (starts with ${head})` };
  }
  if (found !== expected)
    return { reason: `image is ${found} but imageExtension is "${extension}" (${expected ?? "unknown"})` };
  try {
    // failOn "truncated": camera JPEGs often carry harmless warnings; a cut-off file is refused.
    // One libvips pipeline that decodes every pixel (metadata() + stats() would be two).
    const { info } = await sharp(bytes, { failOn: "truncated", sequentialRead: true })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { info: { width: info.width, height: info.height } };
  } catch (e) {
    return { reason: `undecodable image: ${(e as Error).message.split("\n")[0] ?? ""}` };
  }
}
