/**
 * The two parts of a protected model. The model is encrypted (envelope.ts, key from
 * model_key_secret), then split: the first bytes of the envelope (its header with the salt and
 * key check, and the first chunk or more) go with a manifest into the small part, which lives on
 * the API (access-controlled, served only hardware-bound); the rest, the big part, lives on the CDN.
 * The big part alone is useless: without the header's salt no key opens it.
 *
 * Small part: "AZMODEL1" (8) | manifest length (u32 BE) | manifest JSON | head of the envelope.
 * The manifest records the SHA-256 of the head, of the big part and of the whole envelope, so a
 * swapped, truncated or altered part is caught before decryption (which would catch it too).
 */
import { z } from "zod";
import { zodIssuesToText } from "../core/zod-text.js";
import { FormatError } from "./errors.js";

export const SMALL_MAGIC = Buffer.from("AZMODEL1", "ascii");
export const MANIFEST_FORMAT = "azaion-model/1";

const sha = z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits");
const size = z.number().int().nonnegative();

export const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    name: z.string().min(1),
    folder: z.string().min(1),
    created: z.string(),
    plain: z.object({ size, sha256: sha }).strict(),
    envelope: z.object({ size, sha256: sha, chunkBytes: z.number().int().positive() }).strict(),
    small: z.object({ fileName: z.string().min(1), headBytes: size, headSha256: sha }).strict(),
    big: z.object({ key: z.string().min(1), size, sha256: sha, etag: z.string() }).strict(),
  })
  .strict();
export type ModelManifest = z.infer<typeof manifestSchema>;

/** How many envelope bytes go to the small part: 1 % of it, at least 64 KiB, at most 1 MiB. */
export function headBytesFor(envelopeBytes: number): number {
  return Math.min(envelopeBytes, Math.max(64 << 10, Math.min(1 << 20, Math.ceil(envelopeBytes / 100))));
}

export function packSmallPart(manifest: ModelManifest, head: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(manifest), "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([SMALL_MAGIC, len, json, head]);
}

export function unpackSmallPart(buf: Buffer, what: string): { manifest: ModelManifest; head: Buffer } {
  if (buf.length < 12 || !buf.subarray(0, 8).equals(SMALL_MAGIC))
    throw new FormatError(`${what}: not the small part of a protected model (no "AZMODEL1")`);
  const len = buf.readUInt32BE(8);
  if (12 + len > buf.length) throw new FormatError(`${what}: the manifest length ${len} runs past the end`);
  let raw: unknown;
  try {
    raw = JSON.parse(buf.subarray(12, 12 + len).toString("utf8"));
  } catch (err) {
    throw new FormatError(`${what}: the manifest is not JSON: ${(err as Error).message}`);
  }
  const m = manifestSchema.safeParse(raw);
  if (!m.success) throw new FormatError(`${what}: manifest: ${zodIssuesToText(m.error).text}`);
  return { manifest: m.data, head: buf.subarray(12 + len) };
}
