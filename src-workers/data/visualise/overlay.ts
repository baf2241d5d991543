/** Boxes in output pixels and the legend they imply; shared by the contact sheet and the single view. */
import type { ClassCatalog } from "../../core/classes.js";
import type { YoloBox } from "../../core/labels.js";
import { boxMatches, type BoxFilter } from "./select.js";
import { boxSvg, type Bounds, type BoxStyle, type LegendEntry } from "./svg.js";

export interface DrawnBox {
  readonly classId: number;
  readonly label: string;
  readonly colour: string;
  /** Output pixels, integers: the stroke is centred on these edges. */
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** False for boxes outside a --class/--mode filter (drawn faded and dashed). */
  readonly matched: boolean;
}

export interface PixelRect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export function placeBoxes(
  boxes: readonly YoloBox[],
  rect: PixelRect,
  catalog: ClassCatalog,
  filter: BoxFilter,
): DrawnBox[] {
  return boxes.map((b) => {
    const slot = catalog.slot(b.classId);
    return {
      classId: b.classId,
      label: slot.displayName,
      colour: slot.base.colour,
      x1: Math.round(rect.left + (b.cx - b.w / 2) * rect.width),
      y1: Math.round(rect.top + (b.cy - b.h / 2) * rect.height),
      x2: Math.round(rect.left + (b.cx + b.w / 2) * rect.width),
      y2: Math.round(rect.top + (b.cy + b.h / 2) * rect.height),
      matched: boxMatches(filter, catalog, b.classId),
    };
  });
}

/** Faded boxes first, so matching boxes and their tags are drawn on top. */
export function boxesSvg(boxes: readonly DrawnBox[], style: BoxStyle, bounds: Bounds): string {
  const order = [...boxes.filter((b) => !b.matched), ...boxes.filter((b) => b.matched)];
  return order.map((b) => boxSvg(b, b.colour, b.label, style, bounds, !b.matched)).join("");
}

/** One legend entry per class slot drawn, in slot order, with its box count. */
export function legendOf(boxes: Iterable<DrawnBox>): LegendEntry[] {
  const by = new Map<number, { label: string; colour: string; count: number }>();
  for (const b of boxes) {
    const e = by.get(b.classId);
    if (e) e.count++;
    else by.set(b.classId, { label: b.label, colour: b.colour, count: 1 });
  }
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
}
