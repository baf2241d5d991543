/**
 * Boxes drawn onto video frames. A sampled frame's boxes and tags are rasterised once (SVG through
 * sharp, as the visualiser draws them) and kept as a sparse list of covered pixels; blending that
 * into the frame and the ones that follow it until the next sample costs a pass over those pixels
 * only, not a new rasterisation per frame.
 */
import sharp from "sharp";
import { boxesSvg, type DrawnBox } from "../data/visualise/overlay.js";
import { svgDocument } from "../data/visualise/svg.js";
import type { ClassStyle } from "../yolo/predict/styles.js";
import type { InferDetection } from "./types.js";

export interface Overlay {
  /** Pixel offsets (y * width + x) the drawing covers. */
  readonly at: Uint32Array;
  /** R G B A of each covered pixel. */
  readonly rgba: Uint8Array;
}

export const EMPTY_OVERLAY: Overlay = { at: new Uint32Array(0), rgba: new Uint8Array(0) };

/** "name #id 0.87" tags in the class colours; strongest boxes on top. */
export async function renderOverlay(
  detections: readonly InferDetection[],
  width: number,
  height: number,
  styles: readonly ClassStyle[],
): Promise<Overlay> {
  if (detections.length === 0) return EMPTY_OVERLAY;
  const font = Math.max(11, Math.min(18, Math.round(Math.min(width, height) / 50)));
  const stroke = Math.min(width, height) >= 900 ? 3 : 2;
  const boxes: DrawnBox[] = [...detections]
    .sort((a, b) => a.conf - b.conf)
    .map((d) => {
      const s = styles[d.cls] ?? { name: d.name, colour: "#ffffff" };
      return {
        classId: d.cls,
        label: `${s.name}${d.track === null ? "" : ` #${d.track}`} ${d.conf.toFixed(2)}`,
        colour: s.colour,
        x1: Math.round(d.xyxy[0]),
        y1: Math.round(d.xyxy[1]),
        x2: Math.round(d.xyxy[2]),
        y2: Math.round(d.xyxy[3]),
        matched: true,
      };
    });
  const svg = boxesSvg(boxes, { stroke, font }, { left: 0, top: 0, right: width, bottom: height });
  const { data } = await sharp(svgDocument(width, height, svg))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let p = 3; p < data.length; p += 4) if (data[p]! > 0) n++;
  const at = new Uint32Array(n);
  const rgba = new Uint8Array(4 * n);
  for (let p = 0, k = 0; p < width * height; p++) {
    const a = data[4 * p + 3]!;
    if (a === 0) continue;
    at[k] = p;
    rgba.set(data.subarray(4 * p, 4 * p + 4), 4 * k);
    k++;
  }
  return { at, rgba };
}

/** Blend the overlay into an RGB frame in place (alpha over, straight alpha). */
export function blendOverlay(rgb: Uint8Array, o: Overlay): void {
  const { at, rgba } = o;
  for (let k = 0; k < at.length; k++) {
    const d = 3 * at[k]!;
    const s = 4 * k;
    const a = rgba[s + 3]!;
    if (a === 255) {
      rgb[d] = rgba[s]!;
      rgb[d + 1] = rgba[s + 1]!;
      rgb[d + 2] = rgba[s + 2]!;
    } else {
      const b = 255 - a;
      rgb[d] = (rgba[s]! * a + rgb[d]! * b + 127) / 255;
      rgb[d + 1] = (rgba[s + 1]! * a + rgb[d + 1]! * b + 127) / 255;
      rgb[d + 2] = (rgba[s + 2]! * a + rgb[d + 2]! * b + 127) / 255;
    }
  }
}
