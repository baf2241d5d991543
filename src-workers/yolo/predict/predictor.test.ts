import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { FakeDetector } from "./fake-detector.js";
import type { RgbImage } from "../../core/image-decode.js";
import { Predictor } from "./predictor.js";

const grey = (width: number, height: number, v: number): RgbImage => ({
  data: new Uint8Array(width * height * 3).fill(v),
  width,
  height,
});

describe("Predictor with a fake detector", () => {
  it("maps boxes back per image through a square letterbox for mixed sizes", () => {
    const det = new FakeDetector();
    const p = new Predictor(det, { imgsz: 320 });
    const before = torch.liveTensors().count;
    const [a, b] = p.run([
      { file: "a.jpg", image: grey(200, 100, 40) },
      { file: "b.jpg", image: grey(100, 200, 220) },
    ]);
    expect(torch.liveTensors().count).toBe(before);
    expect(det.calls).toEqual([[2, 3, 320, 320]]);
    expect(a!.detections.map((d) => [d.cls, d.name, d.conf])).toEqual([
      [0, "dark", expect.closeTo(0.9, 6)],
      [1, "mid", expect.closeTo(0.6, 6)],
    ]);
    // Input box 120..200 square; the image sits at scale 1.6 with 80 px padding above.
    a!.detections[0]!.xyxy.forEach((v, i) => expect(v).toBeCloseTo([75, 25, 125, 75][i]!, 4));
    expect(b!.detections[0]!.cls).toBe(2);
    b!.detections[0]!.xyxy.forEach((v, i) => expect(v).toBeCloseTo([25, 75, 75, 125][i]!, 4));
    // The far box at input (20..60) lies in the padding of image a: clipped to the image.
    expect(a!.detections[1]!.xyxy).toEqual([12.5, 0, 37.5, 0]);
    expect([a!.width, a!.height, b!.width, b!.height]).toEqual([200, 100, 100, 200]);
  });

  it("uses the minimal stride rectangle when a batch shares one size, and rounds imgsz up to the stride", () => {
    const det = new FakeDetector();
    const p = new Predictor(det, { imgsz: 300 });
    expect(p.imgsz).toBe(320);
    const rs = p.run([
      { file: "a.jpg", image: grey(200, 100, 40) },
      { file: "b.jpg", image: grey(200, 100, 130) },
    ]);
    expect(det.calls).toEqual([[2, 3, 160, 320]]);
    expect(rs.map((r) => r.detections[0]!.cls)).toEqual([0, 1]);
    rs[1]!.detections[0]!.xyxy.forEach((v, i) => expect(v).toBeCloseTo([75, 37.5, 125, 62.5][i]!, 4));
  });

  it("honours conf, maxDet and agnostic", () => {
    const img = [{ file: "a.jpg", image: grey(320, 320, 40) }];
    const run = (o: object) =>
      new Predictor(new FakeDetector(), { imgsz: 320, ...o }).run(img)[0]!.detections;
    expect(run({ conf: 0.7 })).toHaveLength(1);
    expect(run({ conf: 0.05 })).toHaveLength(3);
    expect(run({ iou: 0.99 })).toHaveLength(3);
    expect(run({ maxDet: 1 })).toHaveLength(1);
    expect(run({})).toHaveLength(2);
  });

  describe("files", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "azaion-predictor-"));
      const mk = (name: string, v: number) =>
        sharp({ create: { width: 64, height: 48, channels: 3, background: { r: v, g: v, b: v } } })
          .png()
          .toFile(join(dir, name));
      await mk("a.png", 30);
      await writeFile(join(dir, "bad.jpg"), "not an image");
      await mk("c.png", 240);
      await sharp({ create: { width: 40, height: 40, channels: 4, background: "#ffffff80" } })
        .png()
        .toFile(join(dir, "alpha.png"));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it("yields results and decode failures in input order, batch by batch", async () => {
      const det = new FakeDetector();
      const p = new Predictor(det, { imgsz: 64 });
      const names = ["a.png", "bad.jpg", "c.png", "alpha.png"].map((n) => join(dir, n));
      const out = [];
      for await (const r of p.predictFiles(names, 2)) out.push(r);
      expect(out.map((r) => ("failure" in r ? "fail" : r.result.detections[0]!.name))).toEqual([
        "dark",
        "fail",
        "bright",
        "bright",
      ]);
      const fail = out[1] as { failure: { file: string; error: string } };
      expect(fail.failure.file).toBe(names[1]);
      expect(fail.failure.error).toMatch(/cannot decode/);
      expect(det.calls.length).toBe(2);
    });
  });
});
