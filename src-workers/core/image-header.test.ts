import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp, { type Sharp } from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCheck } from "./image-decode.js";
import { ImageFileError, readImageHeader } from "./image-header.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-header-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A noisy image, so encoders produce real data (and truncation bites). */
function noise(width: number, height: number) {
  const px = Buffer.alloc(width * height * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7919) % 251;
  return sharp(px, { raw: { width, height, channels: 3 } });
}

/** A 24-bit BMP by hand: sharp cannot write BMP. */
function bmp(width: number, height: number): Buffer {
  const row = Math.floor((24 * width + 31) / 32) * 4;
  const b = Buffer.alloc(54 + row * height);
  b.write("BM", 0, "latin1");
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(-height, 22); // top-down
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  return b;
}

async function expectError(file: string, kind: string, text: RegExp) {
  const err = await readImageHeader(file).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ImageFileError);
  expect((err as ImageFileError).kind).toBe(kind);
  expect((err as ImageFileError).reason).toMatch(text);
  expect((err as ImageFileError).message).toContain(file);
}

describe("readImageHeader", () => {
  it.each([
    ["jpeg", "a.jpg", (s: Sharp) => s.jpeg()],
    ["png", "a.png", (s: Sharp) => s.png()],
    ["webp", "lossy.webp", (s: Sharp) => s.webp()],
    ["webp", "lossless.webp", (s: Sharp) => s.webp({ lossless: true })],
    ["tiff", "a.tif", (s: Sharp) => s.tiff()],
  ] as const)("reads %s (%s)", async (format, name, enc) => {
    const file = join(dir, name);
    await enc(noise(37, 21)).toFile(file);
    const h = await readImageHeader(file);
    expect(h).toMatchObject({ format, width: 37, height: 21, orientation: 1 });
  });

  it("reads an extended WebP (VP8X, with alpha)", async () => {
    const file = join(dir, "alpha.webp");
    await sharp({
      create: { width: 300, height: 17, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } },
    })
      .webp()
      .toFile(file);
    const head = await readFile(file);
    expect(head.toString("latin1", 12, 16)).toBe("VP8X");
    expect(await readImageHeader(file)).toMatchObject({ format: "webp", width: 300, height: 17 });
  });

  it("reads a hand-made BMP and catches a short one", async () => {
    const file = join(dir, "a.bmp");
    await writeFile(file, bmp(5, 3));
    expect(await readImageHeader(file)).toMatchObject({ format: "bmp", width: 5, height: 3 });
    await writeFile(file, bmp(5, 3).subarray(0, 60));
    await expectError(file, "truncated-data", /BMP pixel data/);
  });

  it("swaps width and height for EXIF orientation 5-8, as the image is shown", async () => {
    for (const orientation of [1, 3, 6, 8]) {
      const file = join(dir, `o${orientation}.jpg`);
      await noise(40, 10).withMetadata({ orientation }).jpeg().toFile(file);
      const h = await readImageHeader(file);
      expect(h.orientation).toBe(orientation);
      expect([h.width, h.height]).toEqual(orientation >= 5 ? [10, 40] : [40, 10]);
    }
  });

  it("reports a truncated JPEG and PNG", async () => {
    for (const [name, enc] of [
      ["t.jpg", (s: Sharp) => s.jpeg({ quality: 95 })],
      ["t.png", (s: Sharp) => s.png({ compressionLevel: 0 })],
    ] as const) {
      const full = await enc(noise(200, 200)).toBuffer();
      const file = join(dir, name);
      await writeFile(file, full.subarray(0, Math.floor(full.length / 2)));
      await expectError(file, "truncated-data", /truncated data/);
      await writeFile(file, full.subarray(0, 12));
      await expectError(file, "truncated-header", /truncated header/);
    }
  });

  it("reports an empty file, random bytes and text", async () => {
    await writeFile(join(dir, "empty.jpg"), "");
    await expectError(join(dir, "empty.jpg"), "empty", /empty file/);
    const random = Buffer.alloc(500);
    for (let i = 0; i < random.length; i++) random[i] = (i * 131 + 17) % 256;
    await writeFile(join(dir, "random.jpg"), random);
    await expectError(join(dir, "random.jpg"), "unknown-format", /not an image/);
    await writeFile(join(dir, "text.png"), "hello, world\n");
    await expectError(join(dir, "text.png"), "unknown-format", /68 65 6c 6c/);
  });

  it("reports a JPEG whose markers are garbage", async () => {
    const file = join(dir, "garbage.jpg");
    await writeFile(
      file,
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0]), Buffer.from("not a marker")]),
    );
    await expectError(file, "corrupt", /corrupt JPEG: expected a marker/);
  });
});

describe("decodeCheck", () => {
  it("passes a good image and fails corrupt pixel data that the header check misses", async () => {
    const good = join(dir, "good.png");
    await noise(64, 64).png().toFile(good);
    await decodeCheck(good, await readImageHeader(good));
    // Scramble bytes inside IDAT: header and IEND intact, pixels not decodable.
    const bad = Buffer.from(await readFile(good));
    const idat = bad.indexOf("IDAT");
    for (let i = idat + 50; i < idat + 90; i++) bad[i] = bad[i]! ^ 0x5a;
    const file = join(dir, "bad.png");
    await writeFile(file, bad);
    const h = await readImageHeader(file);
    await expect(decodeCheck(file, h)).rejects.toThrow(/cannot decode/);
  });

  it("fails a JPEG cut short", async () => {
    const full = await noise(64, 64).jpeg().toBuffer();
    const file = join(dir, "cut.jpg");
    await writeFile(file, full.subarray(0, full.length - 200));
    const h = await readImageHeader(file, { checkEnd: false });
    await expect(decodeCheck(file, h)).rejects.toThrow(/cannot decode/);
  });
});
