/**
 * Crops. RandomSizedBBoxSafeCrop (erosion 0) as in Albumentations 1.4.3: a window holding the union
 * of all boxes, each side pushed out by a uniform share of its margin, resized to a fixed size.
 * Pixels come out of the shared warp: crop + resize is an affine map, so no intermediate image.
 */
import type { Box } from "./boxes.js";
import type { Affine } from "./geometry.js";

/** Integer window in source pixels: [x, x+width) x [y, y+height). */
export interface CropWindow {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Uniform [0, 1) draws; a seeded PRNG in production, fixed values in tests. */
export type Uniform = () => number;

/** bbox_crop: subtract the integer origin, renormalise by the window size. */
export function cropBoxes(boxes: readonly Box[], win: CropWindow, width: number, height: number): Box[] {
  return boxes.map((b) => ({
    x0: (b.x0 * width - win.x) / win.width,
    y0: (b.y0 * height - win.y) / win.height,
    x1: (b.x1 * width - win.x) / win.width,
    y1: (b.y1 * height - win.y) / win.height,
    classId: b.classId,
  }));
}

/** get_random_crop_coords, kept inside the image where 1.4.3's `+1` could overshoot by a pixel. */
export function randomCropWindow(
  width: number,
  height: number,
  cropWidth: number,
  cropHeight: number,
  wStart: number,
  hStart: number,
): CropWindow {
  const x = Math.min(Math.trunc((width - cropWidth + 1) * wStart), width - cropWidth);
  const y = Math.min(Math.trunc((height - cropHeight + 1) * hStart), height - cropHeight);
  return { x, y, width: cropWidth, height: cropHeight };
}

const clip01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * BBoxSafeRandomCrop.get_params_dependent_on_targets with erosion 0, same draw order (x, y, x2, y2,
 * then h_start, w_start) so fixed draws give 1.4.3's window. Without boxes: a random crop of the
 * image's aspect, as 1.4.3 falls back to.
 */
export function sampleSafeCrop(
  boxes: readonly Box[],
  width: number,
  height: number,
  rand: Uniform,
): CropWindow {
  if (boxes.length === 0) {
    const cropHeight = height; // erosion 0: int(h * 1.0) >= h, so the full height
    const hStart = rand();
    const wStart = rand();
    return randomCropWindow(
      width,
      height,
      Math.trunc((cropHeight * width) / height),
      cropHeight,
      wStart,
      hStart,
    );
  }
  let x = width, y = height, x2 = 0, y2 = 0; // prettier-ignore
  for (const b of boxes) {
    x = Math.min(x, b.x0);
    y = Math.min(y, b.y0);
    x2 = Math.max(x2, b.x1);
    y2 = Math.max(y2, b.y1);
  }
  const bx = x * rand();
  const by = y * rand();
  const bx2 = x2 + (1 - x2) * rand();
  const by2 = y2 + (1 - y2) * rand();
  const bw = bx2 - bx;
  const bh = by2 - by;
  const cropHeight = bh >= 1 ? height : Math.max(1, Math.trunc(height * bh));
  const cropWidth = bw >= 1 ? width : Math.max(1, Math.trunc(width * bw));
  const hStart = clip01(bh >= 1 ? 0 : by / (1 - bh));
  const wStart = clip01(bw >= 1 ? 0 : bx / (1 - bw));
  return randomCropWindow(width, height, cropWidth, cropHeight, wStart, hStart);
}

/**
 * Pixel-centre map of crop + cv2.resize(INTER_LINEAR) to outWidth x outHeight:
 * u = (x - x0 + 0.5) * outWidth / cropWidth - 0.5. In edge coordinates that is exactly cropBoxes.
 */
export function cropResizeMatrix(win: CropWindow, outWidth: number, outHeight: number): Affine {
  const sx = outWidth / win.width;
  const sy = outHeight / win.height;
  return [sx, 0, (0.5 - win.x) * sx - 0.5, 0, sy, (0.5 - win.y) * sy - 0.5];
}
