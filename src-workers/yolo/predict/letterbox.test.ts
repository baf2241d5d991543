import { describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { scaleBoxes } from "./boxes.js";
import { letterboxBatch } from "./image.js";
import { pyRound } from "../../core/py-round.js";
import { letterboxGeometry, toLetterbox } from "./letterbox.js";
import { resizeLinear } from "./resize.js";
import { fixtureJson } from "./test-support.js";

interface Case {
  src_w: number;
  src_h: number;
  new_shape: number;
  auto: boolean;
  center: boolean;
  stride: number;
  scaleup: boolean;
  out_h: number;
  out_w: number;
  ratio: number;
  resized_w: number;
  resized_h: number;
  pad_top: number;
  pad_bottom: number;
  pad_left: number;
  pad_right: number;
  ratio_pad_left_top: [number, number];
  src_box_0_0_w_h_in_output: number[];
  scale_boxes_back_to_source: number[];
}

const cases = fixtureJson<{ cases: Case[] }>("letterbox.json").cases;

describe("letterbox geometry (Ultralytics LetterBox parity)", () => {
  it("has the fixture cases", () => expect(cases.length).toBe(16));

  for (const c of cases) {
    it(`${c.src_w}x${c.src_h} -> ${c.new_shape} auto=${c.auto}`, () => {
      const g = letterboxGeometry(c.src_w, c.src_h, {
        newShape: c.new_shape,
        auto: c.auto,
        center: c.center,
        stride: c.stride,
        scaleup: c.scaleup,
      });
      expect([g.height, g.width]).toEqual([c.out_h, c.out_w]);
      expect(g.ratio).toBeCloseTo(c.ratio, 12);
      expect([g.resizedWidth, g.resizedHeight]).toEqual([c.resized_w, c.resized_h]);
      expect([g.top, g.bottom, g.left, g.right]).toEqual([c.pad_top, c.pad_bottom, c.pad_left, c.pad_right]);
      expect([g.left, g.top]).toEqual(c.ratio_pad_left_top);
      const fwd = toLetterbox(g, [0, 0, c.src_w, c.src_h]);
      fwd.forEach((v, i) => expect(v).toBeCloseTo(c.src_box_0_0_w_h_in_output[i]!, 4));
      const back = torch.tidy(() =>
        scaleBoxes(torch.tensor([fwd]), g.width, g.height, c.src_w, c.src_h).toNumbers(),
      );
      back.forEach((v, i) => expect(v).toBeCloseTo(c.scale_boxes_back_to_source[i]!, 3));
    });
  }

  it("rounds halves to even as Python does", () => {
    expect([0.5, 1.5, 2.5, -2.5, 53.4, 53.6].map(pyRound)).toEqual([0, 2, 2, -2, 53, 54]);
  });

  it("does not enlarge with scaleup off, and pads bottom/right only without center", () => {
    const g = letterboxGeometry(100, 50, { newShape: 320, scaleup: false, center: false });
    expect([g.ratio, g.resizedWidth, g.resizedHeight]).toEqual([1, 100, 50]);
    expect([g.top, g.left, g.bottom, g.right, g.width, g.height]).toEqual([0, 0, 270, 220, 320, 320]);
  });
});

describe("letterboxed pixels", () => {
  const grey = (w: number, h: number, v: number) => ({
    data: new Uint8Array(w * h * 3).fill(v),
    width: w,
    height: h,
  });

  it("pads with 114, keeps a flat image flat and lays out CHW in [0, 1]", () => {
    const b = letterboxBatch([grey(500, 333, 200)], 320, 32);
    const g = b.geometry[0]!;
    expect(b.tensor.shape).toEqual([1, 3, 224, 320]);
    const v = b.tensor.toNumbers();
    expect(v[0]).toBeCloseTo(114 / 255, 6); // top padding row
    expect(v[(g.top + 10) * 320 + 10]).toBeCloseTo(200 / 255, 6);
    expect(v[224 * 320 * 2 + (g.top + g.resizedHeight) * 320]).toBeCloseTo(114 / 255, 6);
    b.tensor.dispose();
  });

  it("uses the square when the batch mixes sizes, the minimal rectangle when sizes agree", () => {
    const mixed = letterboxBatch([grey(64, 32, 1), grey(32, 64, 2)], 128, 32);
    expect(mixed.tensor.shape).toEqual([2, 3, 128, 128]);
    const same = letterboxBatch([grey(64, 32, 1), grey(64, 32, 2)], 128, 32);
    expect(same.tensor.shape).toEqual([2, 3, 64, 128]);
    const v = same.tensor.toNumbers();
    expect(v[3 * 64 * 128 + 32 * 128 + 64]).toBeCloseTo(2 / 255, 6); // image 1 is image 1
    mixed.tensor.dispose();
    same.tensor.dispose();
  });

  it("resizes like cv2 INTER_LINEAR: half-pixel centres, exact 2x by 2x2 means", () => {
    // A 1-channel ramp 0, 10, 20, 30 doubled: edges held, inner pixels at quarter steps.
    const up = resizeLinear(Uint8Array.from([0, 10, 20, 30]), 4, 1, 8, 1, 1);
    expect([...up]).toEqual([0, 3, 8, 13, 18, 23, 28, 30]);
    const half = resizeLinear(Uint8Array.from([0, 10, 20, 31]), 2, 2, 1, 1, 1);
    expect([...half]).toEqual([15]);
  });
});
