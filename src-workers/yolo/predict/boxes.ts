/** Box conversions and mapping detections from model input pixels back to the source image. */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { scaleBack } from "./letterbox.js";

/** (..., 4) cx cy w h -> x1 y1 x2 y2. */
export function xywh2xyxy(x: Tensor): Tensor {
  return torch.tidy(() => {
    const xy = x.slice(-1, 0, 2);
    const half = x.slice(-1, 2, 4).div(2);
    return torch.cat([xy.sub(half), xy.add(half)], -1);
  });
}

/** (..., 4) x1 y1 x2 y2 clipped to a width x height image. */
export function clipBoxes(boxes: Tensor, width: number, height: number): Tensor {
  return torch.tidy(() => {
    const [x1, y1, x2, y2] = boxes.split(1, -1) as [Tensor, Tensor, Tensor, Tensor];
    return torch.cat([x1.clamp(0, width), y1.clamp(0, height), x2.clamp(0, width), y2.clamp(0, height)], -1);
  });
}

/**
 * ops.scale_boxes without ratio_pad: (..., 4) xyxy in a inW x inH letterboxed input back to a
 * srcW x srcH source, then clipped to it.
 */
export function scaleBoxes(boxes: Tensor, inW: number, inH: number, srcW: number, srcH: number): Tensor {
  const { gain, padX, padY } = scaleBack(inW, inH, srcW, srcH);
  return torch.tidy(() => {
    const pad = torch.tensor(new Float32Array([padX, padY, padX, padY]));
    return clipBoxes(boxes.sub(pad).div(gain), srcW, srcH);
  });
}
