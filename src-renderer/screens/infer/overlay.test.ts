import { describe, expect, it } from "vitest";
import type { InferResult } from "../../../src-workers/host/contract/index.js";
import { classTracks, containRect, frameAt, sampleIndexAt, visibleDetections } from "./overlay.js";

const det = (cls: number, score: number) => ({
  box: [0, 0, 10, 10] as [number, number, number, number],
  cls,
  name: `c${cls}`,
  score,
  track: null,
});

const result: InferResult = {
  dir: "/d",
  source: "/v.mp4",
  fps: 10,
  width: 100,
  height: 50,
  frames: 16,
  stride: 4,
  samples: [
    { frame: 0, time: 0, detections: [det(1, 0.9)] },
    { frame: 4, time: 0.4, detections: [det(1, 0.3), det(2, 0.8)] },
    { frame: 8, time: 0.8, detections: [] },
    { frame: 12, time: 1.2, detections: [det(1, 0.7)] },
  ],
  files: {},
};

describe("player overlay", () => {
  it("maps a media time to its frame", () => {
    expect(frameAt(0, 25)).toBe(0);
    expect(frameAt(0.04, 25)).toBe(1);
    expect(frameAt(0.0799, 25)).toBe(1);
  });
  it("picks the latest sample at or before the frame", () => {
    expect(sampleIndexAt(result.samples, 0)).toBe(0);
    expect(sampleIndexAt(result.samples, 3)).toBe(0);
    expect(sampleIndexAt(result.samples, 4)).toBe(1);
    expect(sampleIndexAt(result.samples, 100)).toBe(3);
    expect(sampleIndexAt([{ frame: 2, time: 0.2, detections: [] }], 1)).toBe(-1);
  });
  it("letterboxes the picture inside the element", () => {
    expect(containRect(200, 200, 100, 50)).toEqual({ x: 0, y: 50, scale: 2 });
  });
  it("filters by confidence and class", () => {
    const dets = result.samples[1]!.detections;
    expect(visibleDetections(dets, { minConf: 0.5, hidden: new Set() }).map((d) => d.cls)).toEqual([2]);
    expect(visibleDetections(dets, { minConf: 0, hidden: new Set([2]) }).map((d) => d.cls)).toEqual([1]);
  });
  it("builds per-class spans held until the next sample, honouring the confidence", () => {
    const all = classTracks(result, 0);
    expect(all.map((t) => [t.cls, t.count, t.spans])).toEqual([
      [
        1,
        3,
        [
          [0, 0.8],
          [1.2, 1.6],
        ],
      ],
      [2, 1, [[0.4, 0.8]]],
    ]);
    const confident = classTracks(result, 0.5);
    expect(confident[0]!.spans).toEqual([
      [0, 0.4],
      [1.2, 1.6],
    ]);
  });
});
