import { describe, expect, it } from "vitest";
import { bestEpoch, column, mergeRows, trainLossSeries } from "./series.js";

describe("training series", () => {
  const rows = [
    { epoch: 1, "train/box_loss": 3, "metrics/mAP50(B)": 0.1, "metrics/mAP50-95(B)": 0.05 },
    { epoch: 2, "train/box_loss": 2, "metrics/mAP50(B)": 0.4, "metrics/mAP50-95(B)": 0.2 },
    { epoch: 3, "train/box_loss": Number.NaN, "metrics/mAP50(B)": 0.3, "metrics/mAP50-95(B)": 0.15 },
  ];
  it("takes a column per epoch, skipping non-finite values", () => {
    expect(column(rows, "train/box_loss")).toEqual([
      { x: 1, y: 3 },
      { x: 2, y: 2 },
    ]);
  });
  it("merges sources by epoch, later ones winning", () => {
    const merged = mergeRows([rows[0]!, rows[1]!], [{ epoch: 2, "train/box_loss": 9 }, { epoch: 4 }]);
    expect(merged.map((r) => [r["epoch"], r["train/box_loss"]])).toEqual([
      [1, 3],
      [2, 9],
      [4, undefined],
    ]);
  });
  it("draws batch running means solid and epoch means dashed when both exist", () => {
    const s = trainLossSeries(rows, [{ x: 0.5, box: 4, cls: 3, dfl: 2 }]);
    expect(s.map((x) => [x.id, x.dashed])).toEqual([
      ["batch-box", false],
      ["epoch-box", true],
      ["batch-cls", false],
      ["epoch-cls", true],
      ["batch-dfl", false],
      ["epoch-dfl", true],
    ]);
    expect(s[0]!.points).toEqual([{ x: 0.5, y: 4 }]);
    expect(trainLossSeries(rows, []).every((x) => !x.dashed)).toBe(true);
  });
  it("finds the best epoch by fitness (0.1 mAP50 + 0.9 mAP50-95)", () => {
    expect(bestEpoch(rows)).toEqual({ epoch: 2, map50: 0.4, map5095: 0.2 });
    expect(bestEpoch([])).toBeUndefined();
  });
});
