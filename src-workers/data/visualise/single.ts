/** One image at full resolution (or fitted within a limit) with its boxes, tags and a legend above. */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import sharp from "sharp";
import type { ClassCatalog } from "../../core/classes.js";
import { DataError, UsageError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/labels.js";
import { stemOf } from "../../core/layout.js";
import type { ProblemLog } from "../../core/problems.js";
import { loadFitted } from "./image.js";
import { boxesSvg, legendOf, placeBoxes, type DrawnBox, type PixelRect } from "./overlay.js";
import { loadLabels, type BoxFilter } from "./select.js";
import { SHEET } from "./sheet.js";
import { fitText, legendRows, legendSvg, svgDocument, svgText } from "./svg.js";

export const SINGLE_MAX_SIZE = 1600;

/** images/<stem>.<ext> -> labels/<stem>.txt; an image outside an images/ folder keeps its label beside it. */
export function labelBeside(image: string): string {
  const dir = dirname(image);
  const labels = basename(dir) === "images" ? join(dirname(dir), "labels") : dir;
  return join(labels, `${stemOf(image)}.txt`);
}

export interface SingleOptions {
  readonly image: string;
  /** Label file; found beside the image when absent. */
  readonly label?: string;
  readonly catalog: ClassCatalog;
  readonly filter: BoxFilter;
  readonly out: string;
  readonly log: ProblemLog;
  readonly maxSize?: number;
}

export interface SingleResult {
  readonly out: string;
  readonly width: number;
  readonly height: number;
  readonly imageRect: PixelRect;
  readonly boxes: readonly DrawnBox[];
  /** The label file read, or undefined when there was none. */
  readonly label?: string;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

export async function renderSingle(o: SingleOptions): Promise<SingleResult> {
  if (!existsSync(o.image)) throw new UsageError(`image ${o.image} does not exist`);
  if (o.label !== undefined && !existsSync(o.label))
    throw new UsageError(`label file ${o.label} does not exist`);
  const label = o.label ?? labelBeside(o.image);
  const item = await loadLabels({ image: o.image, label, name: basename(o.image) }, o.catalog);
  o.log.addAll(item.problems);
  const max = o.maxSize ?? SINGLE_MAX_SIZE;
  const img = await loadFitted(o.image, max, max, "#000000", false);
  if (!img.ok) throw new DataError(`unreadable image: ${img.reason}`, o.image);

  const width = Math.max(SHEET.minWidth, img.width);
  const font = Math.max(11, Math.min(18, Math.round(Math.min(img.width, img.height) / 60)));
  const probe = placeBoxes(
    item.boxes,
    { left: 0, top: 0, width: img.width, height: img.height },
    o.catalog,
    o.filter,
  );
  const legend = legendOf(probe);
  const top =
    SHEET.gap +
    SHEET.headerLine +
    legendRows(legend, width - 2 * SHEET.gap, SHEET.legendFont) * SHEET.legendLine +
    SHEET.gap;
  const rect = { left: 0, top, width: img.width, height: img.height };
  const boxes = probe.map((b) => ({ ...b, y1: b.y1 + top, y2: b.y2 + top }));
  const height = top + img.height;

  const bad = item.problems.filter((p) => p.severity === "error").length;
  const scale = img.width === img.sourceWidth ? "" : ` shown at ${img.width}x${img.height}`;
  const facts = [`${img.sourceWidth}x${img.sourceHeight}${scale}`, `${boxes.length} boxes`];
  if (!item.hasLabel) facts.push("no label file");
  if (bad > 0) facts.push(`${bad} bad label line${bad === 1 ? "" : "s"}`);
  const headline = `${basename(o.image)} · ${facts.join(" · ")}`;
  const stroke = Math.min(img.width, img.height) >= 900 ? 3 : 2;
  const over =
    svgText(
      SHEET.gap,
      SHEET.gap + 14,
      fitText(headline, 14, width - 2 * SHEET.gap),
      14,
      bad > 0 ? "#ffcc80" : "#ffffff",
      true,
    ) +
    legendSvg(
      legend,
      SHEET.gap,
      SHEET.gap + SHEET.headerLine,
      width - 2 * SHEET.gap,
      SHEET.legendFont,
      SHEET.legendLine,
    ) +
    boxesSvg(boxes, { stroke, font }, { left: 0, top, right: img.width, bottom: height });

  const png = await sharp({ create: { width, height, channels: 3, background: SHEET.background } })
    .composite([
      { input: img.data, raw: { width: img.width, height: img.height, channels: 3 }, left: 0, top },
      { input: svgDocument(width, height, over), left: 0, top: 0 },
    ])
    .png()
    .toBuffer();
  await writeFileAtomic(o.out, png);
  return {
    out: o.out,
    width,
    height,
    imageRect: rect,
    boxes,
    ...(item.hasLabel ? { label } : {}),
    sourceWidth: img.sourceWidth,
    sourceHeight: img.sourceHeight,
  };
}
