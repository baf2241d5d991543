import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classCatalog } from "./classes.js";
import { formatLabels, parseLabels, readLabelFile, writeLabelFile } from "./labels.js";

const catalog = classCatalog();
const parse = (text: string) => parseLabels(text, "labels/a.txt", catalog);

describe("YOLO labels", () => {
  it("reads good lines, skipping blank lines and CRLF", () => {
    const r = parse("0 0.5 0.5 0.2 0.1\r\n\n41 0.25 0.75 0.1 0.1\n");
    expect(r.problems).toEqual([]);
    expect(r.boxes).toEqual([
      { classId: 0, cx: 0.5, cy: 0.5, w: 0.2, h: 0.1 },
      { classId: 41, cx: 0.25, cy: 0.75, w: 0.1, h: 0.1 },
    ]);
  });

  it.each([
    ["0 0.5 0.5 0.2", /labels\/a\.txt:1: expected 5 fields \(class cx cy w h\), found 4/],
    ["0 0.5 0.5 0.2 0.1 0.9", /found 6/],
    ["93 0.5 0.5 0.2 0.1", /\[class\]: class 93 is outside the 80 class slots/],
    ["17 0.5 0.5 0.2 0.1", /\[class\]: class 17 is an unused slot/],
    ["1.0 0.5 0.5 0.2 0.1", /class "1\.0" is not a whole number/],
    ["0 NaN 0.5 0.2 0.1", /\[cx\]: cx "NaN" is not a finite number/],
    ["0 0.5 Infinity 0.2 0.1", /\[cy\]: cy "Infinity" is not a finite number/],
    ["0 0.5 0.5 -0.2 0.1", /\[w\]: w -0.2 must be greater than 0/],
    ["0 0.5 0.5 0.2 0", /\[h\]: h 0 must be greater than 0/],
    ["0 1.5 0.5 0.2 0.1", /\[cx\]: cx 1.5 is outside 0-1/],
    ["0 0.5 0.5 1.2 0.1", /\[w\]: w 1.2 is outside 0-1/],
  ])("rejects %s with an error naming file:line and field", (line, message) => {
    const r = parse(`0 0.1 0.1 0.05 0.05\n${line}\n`);
    expect(r.boxes).toHaveLength(1); // the good line is kept
    expect(r.problems).toHaveLength(1);
    const p = r.problems[0]!;
    expect(p.severity).toBe("error");
    expect(p.line).toBe(2);
    const text = `${p.file}:${p.line}: ${p.field ? `[${p.field}]: ` : ""}${p.message}`;
    expect(text.replace(":2:", ":1:")).toMatch(message);
  });

  it("clips a box that pokes out of the image, with a warning", () => {
    const r = parse("2 0.95 0.5 0.2 0.2\n");
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.severity).toBe("warning");
    expect(r.problems[0]!.message).toMatch(/extends 0\.0500 outside the image; clipped/);
    const b = r.boxes[0]!;
    expect(b.cx).toBeCloseTo(0.925, 12);
    expect(b.w).toBeCloseTo(0.15, 12);
    expect(b.cy).toBe(0.5);
    expect(b.h).toBe(0.2);
  });

  it("treats float noise at the edges as inside", () => {
    const r = parse("2 1.0000001 0.5 0.0000002 0.2\n");
    expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(r.boxes[0]!.cx).toBeLessThanOrEqual(1);
  });

  it("writes labels atomically and reads them back to 1e-6", async () => {
    const dir = await mkdtemp(join(tmpdir(), "azaion-labels-"));
    try {
      const boxes = [{ classId: 56, cx: 0.123456789, cy: 0.8, w: 0.0000015, h: 0.3 }];
      const file = join(dir, "sub", "x.txt");
      await writeLabelFile(file, boxes);
      expect(await readdir(join(dir, "sub"))).toEqual(["x.txt"]); // no temp file left behind
      const back = await readLabelFile(file, catalog);
      expect(back.problems).toEqual([]);
      expect(back.boxes[0]!.cx).toBeCloseTo(0.123457, 6);
      expect(Math.abs(back.boxes[0]!.w - 0.0000015)).toBeLessThanOrEqual(1e-6);
      expect(formatLabels(boxes)).toBe("56 0.123457 0.800000 0.000002 0.300000\n");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports a label file that is not UTF-8", async () => {
    const dir = await mkdtemp(join(tmpdir(), "azaion-labels-"));
    try {
      const file = join(dir, "bad.txt");
      await writeFile(file, Buffer.from([0x30, 0x20, 0xff, 0xfe, 0x0a]));
      const r = await readLabelFile(file, catalog);
      expect(r.problems[0]!.message).toMatch(/not UTF-8/);
      expect(await readFile(file)).toHaveLength(5); // input untouched
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
