/** Decoding an image into raw pixels that fit a box, or the reason it cannot be read. */
import sharp from "sharp";

export type Fitted =
  | {
      readonly ok: true;
      readonly data: Buffer;
      readonly width: number;
      readonly height: number;
      readonly sourceWidth: number;
      readonly sourceHeight: number;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * The image scaled to fit maxWidth x maxHeight (aspect kept), as raw RGB. EXIF orientation is
 * applied, as the trainers' loaders do, so boxes land where they were drawn. Alpha is flattened
 * onto `background`. `enlarge` lets small images grow to the box (thumbnails), else they keep size.
 */
export async function loadFitted(
  file: string,
  maxWidth: number,
  maxHeight: number,
  background: string,
  enlarge: boolean,
): Promise<Fitted> {
  try {
    const img = sharp(file, { failOn: "error" });
    const meta = await img.metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    const sourceWidth = (swap ? meta.height : meta.width) ?? 0;
    const sourceHeight = (swap ? meta.width : meta.height) ?? 0;
    const { data, info } = await img
      .rotate()
      .resize({ width: maxWidth, height: maxHeight, fit: "inside", withoutEnlargement: !enlarge })
      .flatten({ background })
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) return { ok: false, reason: `decoded to ${info.channels} channels, expected 3` };
    return { ok: true, data, width: info.width, height: info.height, sourceWidth, sourceHeight };
  } catch (err) {
    return { ok: false, reason: firstLine((err as Error).message) };
  }
}

function firstLine(s: string): string {
  const line = s.split("\n").find((l) => l.trim() !== "") ?? "cannot decode";
  return line.trim();
}
