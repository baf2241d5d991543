import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeZip } from "./test-support.js";
import { ZipReader } from "./zip.js";

const FIXTURE = join(import.meta.dirname, "../../../tests/data/yolo11/yolo11n-nc80.pt");
const dir = mkdtempSync(join(tmpdir(), "azaion-zip-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const text = new TextEncoder();
const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 13);

describe("ZipReader", () => {
  it("reads the entries of a torch.save file", () => {
    const z = ZipReader.open(FIXTURE);
    try {
      expect(z.names).toHaveLength(505);
      expect(z.names[0]).toBe("yolo11n-nc80/data.pkl");
      expect(z.read("yolo11n-nc80/version").toString()).toBe("3\n");
      expect(z.read("yolo11n-nc80/data/0").length).toBe(864);
    } finally {
      z.close();
    }
  });

  for (const zip64 of [false, true]) {
    it(`reads STORED and DEFLATE entries${zip64 ? " (ZIP64)" : ""}`, () => {
      const p = put(
        `a${zip64 ? 64 : 32}.zip`,
        makeZip(
          [
            { name: "s.txt", data: text.encode("stored") },
            { name: "d.bin", data: big, deflate: true },
            { name: "empty", data: new Uint8Array() },
          ],
          { zip64 },
        ),
      );
      const z = ZipReader.open(p);
      try {
        expect(z.names).toEqual(["s.txt", "d.bin", "empty"]);
        expect(z.read("s.txt").toString()).toBe("stored");
        expect(z.entry("d.bin").compressedSize).toBeLessThan(big.length);
        expect(new Uint8Array(z.read("d.bin"))).toEqual(big);
        expect(z.read("empty").length).toBe(0);
        expect(() => z.read("nope")).toThrow(/a(32|64)\.zip: the zip archive has no entry 'nope'/);
      } finally {
        z.close();
      }
    });
  }

  it("names the file when it is not a zip", () => {
    const p = put("not.zip", text.encode("hello, this is plainly not a zip archive at all"));
    expect(() => ZipReader.open(p)).toThrow(`${p}: not a zip file`);
    const tiny = put("tiny.zip", text.encode("PK"));
    expect(() => ZipReader.open(tiny)).toThrow(`${tiny}: not a zip file (2 bytes)`);
  });

  it("names the file when it is truncated", () => {
    const whole = readFileSync(FIXTURE);
    const p = put("cut.pt", whole.subarray(0, whole.length >> 1));
    expect(() => ZipReader.open(p)).toThrow(`${p}: truncated zip file`);
    // An entry whose recorded size runs past the end of the file.
    const zip = makeZip([{ name: "x", data: big }]);
    const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(10_000_000, cd + 20);
    const q = put("oversize.zip", zip);
    const z = ZipReader.open(q);
    try {
      expect(() => z.read("x")).toThrow(new RegExp(`^${q}: truncated: needs bytes`));
    } finally {
      z.close();
    }
  });

  it("checks every entry's CRC", () => {
    const p = put("crc.zip", makeZip([{ name: "x", data: text.encode("payload"), crc: 12345 }]));
    const z = ZipReader.open(p);
    try {
      expect(() => z.read("x")).toThrow(new RegExp(`^${p}: entry 'x': CRC mismatch`));
    } finally {
      z.close();
    }
  });
});
