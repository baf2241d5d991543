import { describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { DetectionLoss } from "../loss/detection-loss.js";
import { DetectionModel } from "../model/detection-model.js";
import { ModelEMA } from "../model/ema.js";
import { syntheticSource } from "./synthetic.test-support.js";
import { evalImages, validate } from "./validator.js";

describe("validator", () => {
  it("maps targets and predictions from the letterbox back to the original image", () => {
    // 64 px letterbox of a 200x100 (w x h) original: ratio 0.32, 16 px padding top and bottom.
    const images = torch.zeros([1, 3, 64, 64]);
    const targets = torch.tensor([[0, 2, 0.5, 0.5, 0.5, 0.25]]);
    const [im] = evalImages({ images, targets, shapes: [{ orig: [100, 200], ratio: 0.32, pad: [0, 16] }] }, [
      Float32Array.from([16, 24, 48, 40, 0.9, 2, -10, 0, 8, 70, 0.5, 1]),
    ]);
    expect(im!.width).toBe(200);
    expect(im!.height).toBe(100);
    const g = im!.gt[0]!;
    expect([g.cls, g.cx, g.cy, g.w, g.h].map((v) => +v.toFixed(6))).toEqual([2, 0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(im!.predictions[0]!.xyxy).map((v) => +v.toFixed(4))).toEqual([50, 25, 150, 75]);
    expect(Array.from(im!.predictions[1]!.xyxy).map((v) => +v.toFixed(4))).toEqual([0, 0, 25, 100]); // clipped
    expect(im!.predictions.map((p) => p.cls)).toEqual([2, 1]);
    images.dispose();
    targets.dispose();
  });

  it("validates a model or its EMA, with val losses, freeing every batch", async () => {
    torch.manualSeed(0);
    const model = new DetectionModel({ scale: "n", nc: 3 });
    const ema = new ModelEMA(model);
    const loss = new DetectionLoss({ nc: 3, strides: model.stride });
    const src = syntheticSource({ images: 6, batch: 4, seed: 3 });
    await validate(ema, src, { loss }); // fills the anchor caches
    const before = torch.liveTensors().count;
    const r = await validate(ema, src, { loss });
    expect(torch.liveTensors().count).toBe(before);
    expect(r.images).toBe(6);
    expect(r.loss).toHaveLength(3);
    expect(r.loss!.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(r.metrics.fitness).toBe(r.metrics.map);
    expect(r.metrics.imagesSeen).toBe(6);
    model.train();
    const m = await validate(model, src);
    expect(model.training).toBe(true);
    expect(m.loss).toBeNull();
    expect(m.metrics.map).toBeCloseTo(r.metrics.map, 6); // the EMA starts as a copy
    ema.dispose();
    model.dispose();
  });
});
