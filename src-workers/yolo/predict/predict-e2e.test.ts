/**
 * End to end against Ultralytics: yolo11n-shapes-nc5.pt on val_00003.jpg at 320 gives the five
 * detections of YOLO(...).predict (boxes within ~1 px: our JPEG decode differs from OpenCV's by a
 * few levels; confidences within 0.02).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { decodeRgb } from "../../core/image-decode.js";
import { nonMaxSuppression } from "./nms.js";
import { FIXTURES, fixtureJson, fixtureTensor, maxAbsDiff } from "./test-support.js";

const here = import.meta.dirname;
const modelReady =
  existsSync(join(here, "..", "model", "detection-model.ts")) &&
  existsSync(join(here, "..", "io", "pt-checkpoint.ts"));

interface Expected {
  detections: { xyxy: number[]; conf: number; cls: number; name: string }[];
}

describe.skipIf(!modelReady)("predict end to end (yolo11n-shapes-nc5.pt vs Ultralytics)", () => {
  it("finds the reference detections in val_00003.jpg", async () => {
    const { loadDetector } = await import("./load.js");
    const { Predictor } = await import("./predictor.js");
    const want = fixtureJson<Expected>("yolo11n-shapes-nc5-predict.json").detections;
    const loaded = await loadDetector(join(FIXTURES, "yolo11n-shapes-nc5.pt"));
    try {
      const p = new Predictor(loaded.model, { imgsz: 320, conf: 0.25, iou: 0.7 });
      const file = join(FIXTURES, "val_00003.jpg");
      const [r] = p.run([{ file, image: await decodeRgb(file) }]);
      expect(r!.detections.map((d) => [d.cls, d.name])).toEqual(want.map((d) => [d.cls, d.name]));
      r!.detections.forEach((d, i) => {
        expect(maxAbsDiff(d.xyxy, want[i]!.xyxy)).toBeLessThan(1);
        expect(Math.abs(d.conf - want[i]!.conf)).toBeLessThan(0.02);
      });

      // On Ultralytics' own input tensor the same path agrees far more tightly.
      const exact = torch.noGrad(() =>
        torch.tidy(() => {
          const [d] = nonMaxSuppression(loaded.model.infer(fixtureTensor("input-320")), {
            conf: 0.25,
            iou: 0.7,
          });
          return d!.toNumbers();
        }),
      );
      const flat = want.flatMap((d) => [...d.xyxy, d.conf, d.cls]);
      expect(maxAbsDiff(exact, flat)).toBeLessThan(2e-3);
      if (process.env.AZAION_PREDICT_REPORT)
        console.log(
          `jpeg path: box ${Math.max(...r!.detections.map((d, i) => maxAbsDiff(d.xyxy, want[i]!.xyxy)))} px, ` +
            `conf ${Math.max(...r!.detections.map((d, i) => Math.abs(d.conf - want[i]!.conf)))}; ` +
            `input-320 path: ${maxAbsDiff(exact, flat)}`,
        );
    } finally {
      loaded.model.dispose();
    }
  });
});
