import { describe, expect, it } from "vitest";
import { formatG6, resultsCsv, RESULTS_COLUMNS, type ResultsRow } from "./results.js";

describe("results.csv", () => {
  it("formats numbers as Python's %.6g", () => {
    const cases: [number, string][] = [
      [1, "1"], [0, "0"], [1.23456789, "1.23457"], [0.0001, "0.0001"], [0.00001, "1e-05"],
      [1234567, "1.23457e+06"], [123456, "123456"], [0.001111, "0.001111"], [2.5e-7, "2.5e-07"], [-0.5, "-0.5"],
    ]; // prettier-ignore
    for (const [v, s] of cases) expect(formatG6(v), String(v)).toBe(s);
  });

  it("writes Ultralytics' header and one row per epoch", () => {
    const row = Object.fromEntries(RESULTS_COLUMNS.map((c, i) => [c, i === 0 ? 1 : i / 10])) as ResultsRow;
    const [head, line] = resultsCsv([row]).trim().split("\n");
    expect(head).toBe(
      "epoch,time,train/box_loss,train/cls_loss,train/dfl_loss,metrics/precision(B),metrics/recall(B),metrics/mAP50(B),metrics/mAP50-95(B),val/box_loss,val/cls_loss,val/dfl_loss,lr/pg0,lr/pg1,lr/pg2",
    );
    expect(line).toBe("1,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1,1.1,1.2,1.3,1.4");
  });
});
