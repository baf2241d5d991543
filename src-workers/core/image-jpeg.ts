/**
 * JPEG header: walk the markers (seeking over segments, never reading scan data) up to the
 * frame header (SOFn), picking up the EXIF orientation on the way.
 */
import { ImageFileError, type ByteReader, type RawDims } from "./image-reader.js";

/** SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isSof(code: number): boolean {
  return code >= 0xc0 && code <= 0xcf && code !== 0xc4 && code !== 0xc8 && code !== 0xcc;
}

export async function jpegDims(r: ByteReader): Promise<RawDims> {
  const corrupt = (why: string) => new ImageFileError("corrupt", r.file, `corrupt JPEG: ${why}`);
  let pos = 2;
  let orientation = 1;
  while (pos < r.size) {
    const m = await r.need(pos, 2, "JPEG marker");
    if (m[0] !== 0xff)
      throw corrupt(`expected a marker at byte ${pos}, found 0x${m[0]!.toString(16).padStart(2, "0")}`);
    const code = m[1]!;
    if (code === 0xff) {
      pos++; // fill byte before a marker
      continue;
    }
    if (code === 0xd8 || code === 0x01 || (code >= 0xd0 && code <= 0xd7)) {
      pos += 2; // markers without a length
      continue;
    }
    if (code === 0xd9) throw corrupt("end of image before the frame header");
    if (code === 0xda) throw corrupt("scan data before the frame header (SOF)");
    const len = (await r.need(pos + 2, 2, "JPEG segment length")).readUInt16BE(0);
    if (len < 2) throw corrupt(`segment length ${len} at byte ${pos}`);
    if (isSof(code)) {
      const s = await r.need(pos + 4, 5, "JPEG frame header");
      return { width: s.readUInt16BE(3), height: s.readUInt16BE(1), orientation };
    }
    if (code === 0xe1) {
      const seg = await r.read(pos + 4, len - 2);
      orientation = exifOrientation(seg) ?? orientation;
    }
    pos += 2 + len;
  }
  throw new ImageFileError(
    "truncated-header",
    r.file,
    "truncated header: the file ends before the JPEG frame header",
  );
}

/** Orientation (tag 0x0112) from IFD0 of an APP1 "Exif" segment; undefined when absent or malformed. */
export function exifOrientation(seg: Buffer): number | undefined {
  if (seg.length < 14 || seg.toString("latin1", 0, 6) !== "Exif\0\0") return undefined;
  const t = seg.subarray(6);
  const le = t.toString("latin1", 0, 2) === "II";
  if (!le && t.toString("latin1", 0, 2) !== "MM") return undefined;
  const u16 = (o: number) => (le ? t.readUInt16LE(o) : t.readUInt16BE(o));
  const u32 = (o: number) => (le ? t.readUInt32LE(o) : t.readUInt32BE(o));
  const ifd = u32(4);
  if (ifd + 2 > t.length) return undefined;
  const n = u16(ifd);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > t.length) return undefined;
    if (u16(e) === 0x0112) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : undefined;
    }
  }
  return undefined;
}

const EOI = Buffer.from([0xff, 0xd9]);

/** A complete JPEG ends with FFD9; some writers pad after it, so look in the last 4 KiB. */
export async function jpegEndOk(r: ByteReader): Promise<boolean> {
  return (await r.tail(4096)).indexOf(EOI) >= 0;
}
