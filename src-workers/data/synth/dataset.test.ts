import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { formatLabels } from "../../core/labels.js";
import { synthStem, writeSynthDataset } from "./dataset.js";
import { generateSynthImage } from "./scene.js";

const dirs: string[] = [];
const tmp = async () => {
  const d = await mkdtemp(join(tmpdir(), "azaion-synth-"));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("writeSynthDataset", () => {
  it("writes JPEG images and YOLO labels named by seed and index, and sums them up", async () => {
    const out = await tmp();
    const progress: number[] = [];
    const s = await writeSynthDataset({
      out,
      count: 9,
      size: 128,
      seed: 5,
      threads: 0,
      onProgress: (d) => progress.push(d),
    });
    const images = (await readdir(join(out, "images"))).sort();
    const labels = (await readdir(join(out, "labels"))).sort();
    expect(images).toEqual(Array.from({ length: 9 }, (_, i) => `${synthStem(5, i)}.jpg`));
    expect(labels).toEqual(images.map((f) => f.replace(/\.jpg$/, ".txt")));
    expect(images[0]).toBe("synth_5_00000.jpg");
    expect(progress.at(-1)).toBe(9);

    const meta = await sharp(join(out, "images", images[3]!)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 128, 128]);
    let boxes = 0;
    for (let i = 0; i < 9; i++) {
      const text = await readFile(join(out, "labels", `${synthStem(5, i)}.txt`), "utf8");
      expect(text).toBe(formatLabels(generateSynthImage(5, i, 128).boxes));
      boxes += text.split("\n").filter(Boolean).length;
    }
    expect(s.images).toBe(9);
    expect(s.boxes).toBe(boxes);
    expect(Object.values(s.perClass).reduce((a, b) => a + b, 0)).toBe(boxes);
    expect(Object.values(s.perMode).reduce((a, b) => a + b, 0)).toBe(9);
    expect(s.imagesPerSecond).toBeGreaterThan(0);
  });

  it("regenerates any slice byte for byte", async () => {
    const whole = await tmp();
    const slice = await tmp();
    await writeSynthDataset({ out: whole, count: 6, size: 96, seed: 2, threads: 0 });
    await writeSynthDataset({ out: slice, count: 2, size: 96, seed: 2, start: 4, threads: 0 });
    for (const i of [4, 5]) {
      for (const [sub, ext] of [
        ["images", "jpg"],
        ["labels", "txt"],
      ] as const) {
        const f = `${synthStem(2, i)}.${ext}`;
        expect((await readFile(join(slice, sub, f))).equals(await readFile(join(whole, sub, f)))).toBe(true);
      }
    }
    expect(await readdir(join(slice, "images"))).toHaveLength(2);
  });

  it("rejects a bad count before writing anything", async () => {
    const out = await tmp();
    await expect(writeSynthDataset({ out, count: -1, size: 64, seed: 0 })).rejects.toThrow(/count/);
    await expect(readdir(join(out, "images"))).rejects.toThrow();
  });
});
