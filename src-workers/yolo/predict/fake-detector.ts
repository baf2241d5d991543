/** A stand-in detector for tests: boxes placed from the input size, class from the centre pixel. */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import type { Detector } from "./predictor.js";

/**
 * Per image, four anchors: a box at the input centre, a width/4 x height/4 box (class = the
 * centre pixel's red level in thirds, score 0.9); a near copy (0.8, removed by NMS); a far box
 * of another class (0.6); and a weak one (0.1, under conf).
 */
export class FakeDetector implements Detector {
  readonly names = ["dark", "mid", "bright"];
  readonly stride = [8, 16, 32];
  calls: number[][] = [];

  infer(x: Tensor): Tensor {
    const [b, , h, w] = x.shape as [number, number, number, number];
    this.calls.push(x.shape);
    const red = x
      .select(1, 0)
      .select(1, Math.floor(h / 2))
      .select(1, Math.floor(w / 2))
      .toNumbers();
    const data = new Float32Array(b * 7 * 4);
    const put = (i: number, row: number, anchor: number, v: number) => (data[i * 28 + row * 4 + anchor] = v);
    red.forEach((r, i) => {
      const cls = Math.min(2, Math.floor(r * 3));
      const boxes = [
        [w / 2, h / 2, w / 4, h / 4, 0.9, cls],
        [w / 2 + 1, h / 2, w / 4, h / 4, 0.8, cls],
        [w / 8, h / 8, w / 8, h / 8, 0.6, (cls + 1) % 3],
        [w / 2, h / 4, 10, 10, 0.1, cls],
      ];
      boxes.forEach(([cx, cy, bw, bh, s, c], a) => {
        [cx, cy, bw, bh].forEach((v, row) => put(i, row, a, v!));
        put(i, 4 + c!, a, s!);
      });
    });
    return torch.tensor(data, [b, 7, 4]);
  }
}
