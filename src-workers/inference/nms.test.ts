/** The plain-TypeScript NMS gives what the libtorch one gives (and Ultralytics' fixtures), on the same input. */
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../core/random.js";
import * as torch from "../torch/index.js";
import { NMS_DEFAULTS, nonMaxSuppression } from "../yolo/predict/nms.js";
import { fixtureJson, fixtureTensor } from "../yolo/predict/test-support.js";
import { PLAIN_NMS_DEFAULTS, plainNms, type PlainNmsOptions } from "./nms.js";

function both(pred: torch.Tensor, o: PlainNmsOptions): { plain: number[][]; torch: number[][] } {
  const [bs, ch, n] = pred.shape as [number, number, number];
  const data = new Float32Array(pred.toNumbers());
  const plain = Array.from({ length: bs }, (_, b) => [...plainNms(data, ch, n, b, o).rows]);
  const ref = torch.tidy(() => nonMaxSuppression(pred, o).map((t) => t.toNumbers()));
  return { plain, torch: ref };
}

describe("plainNms", () => {
  it("has the libtorch predictor's defaults", () => {
    const { multiLabel, ...rest } = NMS_DEFAULTS;
    expect(multiLabel).toBe(false);
    expect(PLAIN_NMS_DEFAULTS).toEqual(rest);
  });

  it("matches Ultralytics' fixture rows (conf 0.25 and 0.001)", () => {
    const settings = fixtureJson<{
      settings: Record<string, { conf_thres: number; iou_thres: number; max_det: number }>;
    }>("nms.json").settings;
    const pred = fixtureTensor("nms-pred");
    try {
      for (const [key, out] of [
        ["conf0.25_iou0.7", "nms-out-conf0.25_iou0.7"],
        ["conf0.001_iou0.7_maxdet300", "nms-out-conf0.001_iou0.7_maxdet300"],
      ] as const) {
        const s = settings[key]!;
        const [, ch, n] = pred.shape as [number, number, number];
        const r = plainNms(new Float32Array(pred.toNumbers()), ch, n, 0, {
          conf: s.conf_thres,
          iou: s.iou_thres,
          maxDet: s.max_det,
        });
        const want = fixtureTensor(out);
        expect(r.count).toBe(want.shape[0]);
        const got = [...r.rows];
        want.toNumbers().forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThan(1e-5));
        want.dispose();
      }
    } finally {
      pred.dispose();
    }
  });

  it("equals nonMaxSuppression on random batches: class-aware, agnostic, maxDet and maxNms caps", () => {
    const rand = mulberry32(7);
    const [bs, nc, n] = [3, 4, 600];
    const data = new Float32Array(bs * (4 + nc) * n);
    for (let b = 0; b < bs; b++)
      for (let a = 0; a < n; a++) {
        const base = b * (4 + nc) * n;
        // Clustered boxes so that suppression has work to do.
        data[base + a] = 40 + Math.floor(rand() * 8) * 30 + rand() * 6;
        data[base + n + a] = 40 + Math.floor(rand() * 6) * 30 + rand() * 6;
        data[base + 2 * n + a] = 20 + rand() * 10;
        data[base + 3 * n + a] = 20 + rand() * 10;
        for (let c = 0; c < nc; c++) data[base + (4 + c) * n + a] = rand() ** 3;
      }
    const pred = torch.tensor(data, [bs, 4 + nc, n]);
    try {
      for (const o of [
        { conf: 0.25, iou: 0.7 },
        { conf: 0.1, iou: 0.45, agnostic: true },
        { conf: 0.05, iou: 0.5, maxDet: 7 },
        { conf: 0.01, iou: 0.6, maxNms: 40 },
      ]) {
        const r = both(pred, o);
        for (let b = 0; b < bs; b++) {
          expect(r.plain[b]!.length).toBe(r.torch[b]!.length);
          r.torch[b]!.forEach((v, i) => expect(Math.abs(r.plain[b]![i]! - v)).toBeLessThan(1e-4));
        }
        expect(r.torch.some((t) => t.length > 0)).toBe(true);
      }
    } finally {
      pred.dispose();
    }
  });

  it("returns nothing when no score passes conf, and refuses a bad slice", () => {
    const data = new Float32Array(6 * 10).fill(0.1);
    expect(plainNms(data, 6, 10, 0, { conf: 0.5 }).count).toBe(0);
    expect(() => plainNms(data, 6, 10, 1)).toThrow(/outside/);
    expect(() => plainNms(data, 4, 15, 0)).toThrow(/4 \+ nc/);
  });
});
