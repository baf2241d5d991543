import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  decryptBuffer,
  decryptStream,
  encryptBuffer,
  encryptStream,
  envelopeLength,
  HEADER_BYTES,
  TAG_BYTES,
  type EnvelopeKey,
} from "./envelope.js";
import { FormatError, IntegrityError, WrongKeyError } from "./errors.js";

const key = (kind: EnvelopeKey["kind"] = "secret"): EnvelopeKey => ({ bytes: randomBytes(32), kind });
const K = key();
const CHUNK = 1000;

async function streamThrough(input: Buffer, t: NodeJS.ReadWriteStream, pieces = 7): Promise<Buffer> {
  const out: Buffer[] = [];
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += Math.ceil(input.length / pieces) || 1)
    parts.push(input.subarray(i, i + Math.ceil(input.length / pieces)));
  await pipeline(
    Readable.from(parts),
    t,
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

describe("envelope (chunked AES-256-GCM)", () => {
  it("round-trips sizes around chunk boundaries, as buffers and as streams", async () => {
    for (const n of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17]) {
      const plain = randomBytes(n);
      const env = encryptBuffer(plain, K, CHUNK);
      expect(env.length).toBe(envelopeLength(n, CHUNK));
      expect(decryptBuffer(env, K).equals(plain)).toBe(true);
      const streamed = await streamThrough(plain, encryptStream(K, CHUNK));
      expect(streamed.length).toBe(env.length);
      expect((await streamThrough(streamed, decryptStream(K), 5)).equals(plain)).toBe(true);
    }
  });

  it("uses a fresh salt per file: the same plaintext never gives the same bytes", () => {
    const plain = randomBytes(100);
    expect(encryptBuffer(plain, K).equals(encryptBuffer(plain, K))).toBe(false);
  });

  it("detects a flipped bit anywhere: header, any chunk body, any tag", () => {
    const plain = randomBytes(3 * CHUNK + 5);
    const env = encryptBuffer(plain, K, CHUNK);
    for (const pos of [
      7,
      9,
      20,
      HEADER_BYTES,
      HEADER_BYTES + CHUNK + 3,
      HEADER_BYTES + CHUNK + TAG_BYTES + 1,
      env.length - 1,
    ]) {
      const bad = Buffer.from(env);
      bad[pos]! ^= 0x01;
      expect(() => decryptBuffer(bad, K), `bit flip at ${pos}`).toThrow(
        /altered|key does not open|out of range|key kind/,
      );
    }
  });

  it("detects truncation at and inside chunk boundaries, and appended bytes", () => {
    const env = encryptBuffer(randomBytes(3 * CHUNK), K, CHUNK);
    const record = CHUNK + TAG_BYTES;
    for (const len of [
      HEADER_BYTES + record,
      HEADER_BYTES + 2 * record,
      HEADER_BYTES + record + 100,
      env.length - 1,
      10,
    ])
      expect(() => decryptBuffer(env.subarray(0, len), K), `cut at ${len}`).toThrow(IntegrityError);
    expect(() => decryptBuffer(Buffer.concat([env, Buffer.alloc(TAG_BYTES)]), K)).toThrow(IntegrityError);
  });

  it("detects reordered and duplicated chunks", () => {
    const env = encryptBuffer(randomBytes(3 * CHUNK), K, CHUNK);
    const h = env.subarray(0, HEADER_BYTES);
    const r = (i: number) =>
      env.subarray(HEADER_BYTES + i * (CHUNK + TAG_BYTES), HEADER_BYTES + (i + 1) * (CHUNK + TAG_BYTES));
    expect(() => decryptBuffer(Buffer.concat([h, r(1), r(0), r(2)]), K)).toThrow(/chunk 0 .*reordered/);
    expect(() => decryptBuffer(Buffer.concat([h, r(0), r(0), r(2)]), K)).toThrow(IntegrityError);
  });

  it("tells a wrong key, a hardware-bound file and a non-envelope apart", () => {
    const env = encryptBuffer(Buffer.from("model"), K);
    expect(() => decryptBuffer(env, key())).toThrow(WrongKeyError);
    expect(() => decryptBuffer(env, key())).toThrow(/another secret/);
    const hw = encryptBuffer(Buffer.from("model"), key("hardware"));
    expect(() => decryptBuffer(hw, key("hardware"))).toThrow(/another machine/);
    expect(() => decryptBuffer(hw, K)).toThrow(/bound to a machine/);
    expect(() =>
      decryptBuffer(
        Buffer.from("PK\u0003\u0004 a zip file, not ours at all........................................"),
        K,
      ),
    ).toThrow(FormatError);
    expect(() => decryptBuffer(Buffer.alloc(0), K)).toThrow(/empty/);
  });

  it("fails the stream (not the process) on altered data", async () => {
    const env = encryptBuffer(randomBytes(2 * CHUNK), K, CHUNK);
    env[env.length - 5]! ^= 0x80;
    await expect(streamThrough(env, decryptStream(K, "m.onnx.enc"))).rejects.toThrow(/m\.onnx\.enc: chunk 1/);
  });
});
