import { readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classCatalog } from "../../core/classes.js";
import { colourDistance, hexRgb, tempDir } from "../../data/visualise/test-fixtures.js";
import type { PredictResult } from "./predictor.js";
import { classStyles, PALETTE } from "./styles.js";
import { drawDetections, fmtG, jsonLine, PredictionWriter, yoloLabelText } from "./writers.js";

const result: PredictResult = {
  file: "/x/frame.jpg",
  width: 200,
  height: 100,
  detections: [
    { xyxy: [20, 10, 60, 50], conf: 0.875, cls: 1, name: "Truck (Norm)" },
    { xyxy: [100, 0, 200, 100], conf: 0.3, cls: 41, name: "Truck (Night)" },
  ],
};
const image = { data: new Uint8Array(200 * 100 * 3).fill(60), width: 200, height: 100 };

describe("prediction writers", () => {
  it("formats numbers as %g", () => {
    expect([0, 0.2, 0.123456789, 1, 12.5, 0.00001234, 100000, 1234567].map(fmtG)).toEqual([
      "0",
      "0.2",
      "0.123457",
      "1",
      "12.5",
      "1.234e-05",
      "100000",
      "1.23457e+06",
    ]);
  });

  it("writes YOLO labels normalised to the image, with conf on request", () => {
    expect(yoloLabelText(result)).toBe("1 0.2 0.3 0.2 0.4\n41 0.75 0.5 0.5 1\n");
    expect(yoloLabelText(result, true).split("\n")[0]).toBe("1 0.2 0.3 0.2 0.4 0.875");
    expect(yoloLabelText({ ...result, detections: [] })).toBe("");
  });

  it("writes one JSON line per image", () => {
    const line = jsonLine(result);
    expect(line.endsWith("\n") && !line.slice(0, -1).includes("\n")).toBe(true);
    expect(JSON.parse(line)).toEqual(result);
  });

  it("styles catalog classes of an 80-class model by the catalog, others by the palette", () => {
    const cat = classCatalog();
    const names = cat.slotNames();
    names[2] = "something_else";
    const s = classStyles(names, 80, cat);
    expect(s[1]).toEqual({ name: "Truck (Norm)", colour: cat.colour(1) });
    expect(s[2]).toEqual({ name: "something_else", colour: PALETTE[2] });
    expect(s[19]!.name).toBe("unused_19");
    const five = classStyles(["a", "b", "c", "d", "e"], 5, cat);
    expect(five.map((x) => x.colour)).toEqual(PALETTE.slice(0, 5));
  });

  it("draws each box in its class colour", async () => {
    const styles = classStyles(classCatalog().slotNames(), 80, classCatalog());
    const png = await drawDetections(image, result, styles);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([200, 100]);
    const at = (x: number, y: number) => [...data.subarray((y * 200 + x) * 3, (y * 200 + x) * 3 + 3)];
    expect(colourDistance(at(20, 45), hexRgb(styles[1]!.colour))).toBeLessThan(40);
    expect(colourDistance(at(40, 30), [60, 60, 60])).toBe(0); // inside stays untouched
  });

  describe("PredictionWriter", () => {
    let dir: string;
    beforeAll(async () => (dir = await tempDir("azaion-writer-")));
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it("writes labels, jsonl and images, keeping same-named inputs apart", async () => {
      const out = join(dir, "run");
      const w = await PredictionWriter.create(out, {
        txt: true,
        conf: false,
        json: true,
        img: true,
        styles: classStyles([], 80),
      });
      await w.write(result, image);
      await w.write({ ...result, file: "/y/frame.png", detections: [] }, image);
      await w.close();
      expect((await readdir(join(out, "labels"))).sort()).toEqual(["frame.txt", "frame_2.txt"]);
      expect((await readdir(join(out, "images"))).sort()).toEqual(["frame.png", "frame_2.png"]);
      expect(await readFile(join(out, "labels", "frame_2.txt"), "utf8")).toBe("");
      const lines = (await readFile(join(out, "predictions.jsonl"), "utf8")).trim().split("\n");
      expect(lines.map((l) => (JSON.parse(l) as PredictResult).file)).toEqual([
        "/x/frame.jpg",
        "/y/frame.png",
      ]);
      expect([w.images, w.detections]).toEqual([2, 2]);
      // A second run into the same folder refuses to write over the first.
      await expect(
        PredictionWriter.create(out, { txt: false, conf: false, json: true, img: false, styles: [] }),
      ).rejects.toThrow(/EEXIST|exists/);
    });
  });
});
