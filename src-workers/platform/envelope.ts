/**
 * The encrypted file format ("envelope", version 1): chunked AES-256-GCM, streamable both ways.
 *
 * Why GCM in chunks, not one GCM message and not CBC + HMAC:
 * - One GCM message over a 200 MB model can only be verified at its very end, and Node's decipher
 *   releases plaintext before that; CBC + HMAC over the whole file has the same problem (verify the
 *   MAC in a first pass, decrypt in a second) and needs two keys and two passes.
 * - Chunked GCM (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár, as used by
 *   age and Tink) authenticates every chunk on its own before its plaintext is released, in one
 *   pass with bounded memory. Each chunk's nonce is its index plus a "final" flag, and the header
 *   is the associated data of every chunk, so:
 *     bit flip anywhere            -> that chunk's tag fails (or the header check fails);
 *     chunks reordered/duplicated  -> the index in the nonce differs -> tag fails;
 *     truncated at a chunk boundary -> the last chunk present was not sealed "final" -> tag fails;
 *     truncated inside a chunk     -> tag fails; bytes appended after the final chunk -> refused.
 * - Nonces never repeat under a key: every file gets a fresh random 32-byte salt and its own key
 *   (HKDF-SHA256 of the master key and the salt), so counter nonces are safe.
 *
 * Callers that must not release anything from a file that turns out truncated (truncation is only
 * known at the end) collect the output (decryptBuffer) or write to a temporary file and rename it
 * when the stream ends without error.
 *
 * Layout: header (64 bytes) then chunks. Header: magic "AZAENC" (6), version 1 (1), key kind (1:
 * 1 secret-derived, 2 hardware-bound), chunk size (u32 BE), salt (32), key check (16), zero (4).
 * Chunk i: AES-256-GCM(file key, nonce = 0x000000 || u64 BE i || final ? 1 : 0, aad = header) of
 * up to chunk-size plaintext bytes, followed by its 16-byte tag. Every file has at least one chunk
 * (an empty file is one empty final chunk). The key check (HKDF of the same inputs, other label)
 * tells a wrong key apart from altered data, and commits the file to one key.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { FormatError, IntegrityError, WrongKeyError } from "./errors.js";

export const ENVELOPE_MAGIC = Buffer.from("AZAENC", "ascii");
export const ENVELOPE_VERSION = 1;
export const HEADER_BYTES = 64;
export const TAG_BYTES = 16;
export const DEFAULT_CHUNK_BYTES = 1 << 20;
/** A header asking for bigger chunks is refused: it would let a file make us buffer that much. */
export const MAX_CHUNK_BYTES = 64 << 20;

export type KeyKind = "secret" | "hardware";
const KIND_CODE: Record<KeyKind, number> = { secret: 1, hardware: 2 };

/** A 32-byte master key and how it was derived (keys.ts); never a constant in code. */
export interface EnvelopeKey {
  readonly bytes: Buffer;
  readonly kind: KeyKind;
}

interface FileKeys {
  readonly data: Buffer;
  readonly check: Buffer;
}

function fileKeys(master: EnvelopeKey, salt: Buffer): FileKeys {
  if (master.bytes.length !== 32) throw new Error(`an envelope key has 32 bytes, not ${master.bytes.length}`);
  const derive = (label: string, n: number) =>
    Buffer.from(hkdfSync("sha256", master.bytes, salt, `azaion-envelope v1 ${label}`, n));
  return { data: derive("data key", 32), check: derive("key check", 16) };
}

function nonce(index: number, final: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 3);
  n[11] = final ? 1 : 0;
  return n;
}

/** Bytes of the envelope of `plainBytes` bytes of plaintext. */
export function envelopeLength(plainBytes: number, chunkBytes = DEFAULT_CHUNK_BYTES): number {
  const chunks = Math.max(1, Math.ceil(plainBytes / chunkBytes));
  return HEADER_BYTES + plainBytes + chunks * TAG_BYTES;
}

/** Encrypts pushed plaintext into envelope bytes; one chunk is held back until the next shows it is not the last. */
export class EnvelopeSealer {
  private readonly header: Buffer;
  private readonly key: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private headerSent = false;
  private ended = false;

  constructor(
    master: EnvelopeKey,
    readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES)
      throw new RangeError(`chunk size must be 1..${MAX_CHUNK_BYTES} bytes, not ${chunkBytes}`);
    const salt = randomBytes(32);
    const keys = fileKeys(master, salt);
    this.key = keys.data;
    const h = Buffer.alloc(HEADER_BYTES);
    ENVELOPE_MAGIC.copy(h, 0);
    h[6] = ENVELOPE_VERSION;
    h[7] = KIND_CODE[master.kind];
    h.writeUInt32BE(chunkBytes, 8);
    salt.copy(h, 12);
    keys.check.copy(h, 44);
    this.header = h;
  }

  push(data: Buffer): Buffer[] {
    if (this.ended) throw new Error("EnvelopeSealer: push after end");
    const out = this.takeHeader();
    this.pending.push(data);
    this.pendingBytes += data.length;
    while (this.pendingBytes > this.chunkBytes) out.push(this.seal(this.take(this.chunkBytes), false));
    return out;
  }

  end(): Buffer[] {
    if (this.ended) throw new Error("EnvelopeSealer: end twice");
    const out = this.takeHeader();
    out.push(this.seal(this.take(this.pendingBytes), true));
    this.ended = true;
    return out;
  }

  private takeHeader(): Buffer[] {
    if (this.headerSent) return [];
    this.headerSent = true;
    return [this.header];
  }

  private take(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = n < all.length ? [all.subarray(n)] : [];
    this.pendingBytes = all.length - n;
    return all.subarray(0, n);
  }

  private seal(plain: Buffer, final: boolean): Buffer {
    const c = createCipheriv("aes-256-gcm", this.key, nonce(this.index++, final));
    c.setAAD(this.header);
    return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  }
}

/** Verifies and decrypts pushed envelope bytes; each chunk's plaintext is released only once its tag checks. */
export class EnvelopeOpener {
  private header: Buffer | undefined;
  private key: Buffer | undefined;
  private recordBytes = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private offset = 0;
  private ended = false;

  /** `what` names the data in error messages (a file, an object key). */
  constructor(
    private readonly master: EnvelopeKey,
    private readonly what = "encrypted data",
  ) {}

  push(data: Buffer): Buffer[] {
    if (this.ended) throw new Error("EnvelopeOpener: push after end");
    this.pending.push(data);
    this.pendingBytes += data.length;
    const out: Buffer[] = [];
    if (!this.header) {
      if (this.pendingBytes < HEADER_BYTES) return out;
      this.readHeader(this.take(HEADER_BYTES));
    }
    // Strictly more than one record buffered: the one in front is known not to be the last.
    while (this.pendingBytes > this.recordBytes) out.push(this.open(this.take(this.recordBytes), false));
    return out;
  }

  end(): Buffer[] {
    if (this.ended) throw new Error("EnvelopeOpener: end twice");
    this.ended = true;
    if (!this.header) {
      if (this.pendingBytes === 0) throw new FormatError(`${this.what}: empty, not an encrypted file`);
      this.checkMagic(Buffer.concat(this.pending));
      throw new IntegrityError(`${this.what}: truncated inside its ${HEADER_BYTES}-byte header`);
    }
    if (this.pendingBytes < TAG_BYTES)
      throw new IntegrityError(
        `${this.what}: truncated: ${this.pendingBytes} bytes at offset ${this.offset} cannot hold a chunk`,
      );
    return [this.open(this.take(this.pendingBytes), true)];
  }

  private checkMagic(h: Buffer): void {
    const n = Math.min(h.length, ENVELOPE_MAGIC.length);
    if (!h.subarray(0, n).equals(ENVELOPE_MAGIC.subarray(0, n)))
      throw new FormatError(`${this.what}: not an Azaion encrypted file (no "AZAENC" header)`);
  }

  private readHeader(h: Buffer): void {
    this.checkMagic(h);
    if (h[6] !== ENVELOPE_VERSION)
      throw new FormatError(
        `${this.what}: envelope version ${h[6]} is not supported (this build reads version ${ENVELOPE_VERSION}); update Azaion`,
      );
    const kind = h[7] === 1 ? "secret" : h[7] === 2 ? "hardware" : undefined;
    if (kind === undefined) throw new FormatError(`${this.what}: unknown key kind ${h[7]} in the header`);
    if (kind !== this.master.kind)
      throw new WrongKeyError(
        kind === "hardware"
          ? `${this.what} is bound to a machine: it opens only with that machine's hardware-bound key`
          : `${this.what} was encrypted with a secret-derived key, not a hardware-bound one`,
      );
    const chunkBytes = h.readUInt32BE(8);
    if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES)
      throw new FormatError(`${this.what}: chunk size ${chunkBytes} in the header is out of range`);
    const keys = fileKeys(this.master, h.subarray(12, 44));
    if (!timingSafeEqual(keys.check, h.subarray(44, 60)))
      throw new WrongKeyError(
        kind === "hardware"
          ? `${this.what}: the hardware-bound key does not open it: it was encrypted for another machine (another hardware fingerprint) or another user secret`
          : `${this.what}: the key does not open it: it was encrypted with another secret`,
      );
    this.header = Buffer.from(h);
    this.key = keys.data;
    this.recordBytes = chunkBytes + TAG_BYTES;
    this.offset = HEADER_BYTES;
  }

  private take(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = n < all.length ? [all.subarray(n)] : [];
    this.pendingBytes = all.length - n;
    return all.subarray(0, n);
  }

  private open(record: Buffer, final: boolean): Buffer {
    const body = record.subarray(0, record.length - TAG_BYTES);
    const d = createDecipheriv("aes-256-gcm", this.key!, nonce(this.index, final));
    d.setAAD(this.header!);
    d.setAuthTag(record.subarray(record.length - TAG_BYTES));
    const plain = d.update(body);
    try {
      d.final();
    } catch {
      throw new IntegrityError(
        `${this.what}: chunk ${this.index} (offset ${this.offset}) fails authentication: ` +
          (final
            ? "the data was altered or truncated"
            : "the data was altered, chunks were reordered, or bytes were appended"),
      );
    }
    this.index++;
    this.offset += record.length;
    return plain;
  }
}

/** Encrypt a whole buffer (small data: API resources, tests). */
export function encryptBuffer(plain: Buffer, key: EnvelopeKey, chunkBytes = DEFAULT_CHUNK_BYTES): Buffer {
  const s = new EnvelopeSealer(key, chunkBytes);
  return Buffer.concat([...s.push(plain), ...s.end()]);
}

/** Decrypt and verify a whole buffer; nothing is returned unless every chunk and the end check out. */
export function decryptBuffer(envelope: Buffer, key: EnvelopeKey, what?: string): Buffer {
  const o = new EnvelopeOpener(key, what);
  return Buffer.concat([...o.push(envelope), ...o.end()]);
}

function transformOf(engine: { push(b: Buffer): Buffer[]; end(): Buffer[] }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        for (const b of engine.push(chunk)) this.push(b);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        for (const b of engine.end()) this.push(b);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/** A stream that encrypts: pipe plaintext in, envelope bytes come out. */
export function encryptStream(key: EnvelopeKey, chunkBytes = DEFAULT_CHUNK_BYTES): Transform {
  return transformOf(new EnvelopeSealer(key, chunkBytes));
}

/** A stream that verifies and decrypts; it errors (IntegrityError, WrongKeyError, FormatError) on bad data. */
export function decryptStream(key: EnvelopeKey, what?: string): Transform {
  return transformOf(new EnvelopeOpener(key, what));
}
