import { describe, expect, it } from "vitest";
import { IOU_THRESHOLDS, matchPredictions } from "./match.js";

/** gt x pred IoU from rows. */
const mat = (rows: number[][]): Float64Array => Float64Array.from(rows.flat());
const rowsOf = (tp: Uint8Array): number[][] =>
  Array.from({ length: tp.length / 10 }, (_, p) => Array.from(tp.subarray(p * 10, p * 10 + 10)));

describe("matchPredictions", () => {
  it("marks a prediction TP at every threshold its IoU reaches", () => {
    const tp = matchPredictions([0], [0], mat([[0.72]]));
    expect(rowsOf(tp)).toEqual([[1, 1, 1, 1, 1, 0, 0, 0, 0, 0]]);
    expect(IOU_THRESHOLDS).toHaveLength(10);
  });

  it("never matches across classes", () => {
    expect(Array.from(matchPredictions([1], [0], mat([[0.99]])))).toEqual(new Array(10).fill(0));
  });

  it("gives a GT to the earliest (most confident) prediction, the duplicate is a FP", () => {
    const tp = matchPredictions([0, 0], [0], mat([[0.6, 0.9]]));
    expect(rowsOf(tp)[0]).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    // The later prediction only wins where the earlier one falls below the threshold.
    expect(rowsOf(tp)[1]).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 0]);
  });

  it("does not fall back to a second-best GT (Ultralytics' greedy quirk)", () => {
    // Both predictions prefer GT 0; prediction 1 also overlaps the free GT 1 but stays a FP.
    const iou = mat([
      [0.9, 0.8],
      [0.0, 0.7],
    ]);
    const tp = rowsOf(matchPredictions([0, 0], [0, 0], iou));
    expect(tp[0]![0]).toBe(1);
    expect(tp[1]![0]).toBe(0);
  });

  it("returns an all-zero matrix without GT and an empty one without predictions", () => {
    expect(Array.from(matchPredictions([0, 2], [], new Float64Array(0)))).toEqual(new Array(20).fill(0));
    expect(matchPredictions([], [0], new Float64Array(0)).length).toBe(0);
  });
});
