/**
 * The contact sheet: a header (source, filters, counts), a legend of the classes drawn, then a
 * grid of fixed-size tiles, each a letterboxed thumbnail with its boxes and its file name below.
 */
import { availableParallelism } from "node:os";
import sharp from "sharp";
import type { ClassCatalog } from "../../core/classes.js";
import { writeFileAtomic } from "../../core/labels.js";
import type { ProblemLog } from "../../core/problems.js";
import { loadFitted, type Fitted } from "./image.js";
import { boxesSvg, legendOf, placeBoxes, type DrawnBox, type PixelRect } from "./overlay.js";
import { mapLimit } from "./pool.js";
import type { BoxFilter, LoadedItem } from "./select.js";
import type { Split } from "./source.js";
import { fitText, legendRows, legendSvg, svgDocument, svgRect, svgText, tagSvg, type Bounds } from "./svg.js";

export const SHEET = {
  gap: 8,
  caption: 18,
  headerLine: 20,
  headerLines: 2,
  legendLine: 18,
  legendFont: 12,
  minWidth: 480,
  background: "#121212",
  tileBackground: "#262626",
} as const;

export interface SheetGeometry {
  readonly columns: number;
  readonly rows: number;
  readonly width: number;
  readonly height: number;
  readonly legendTop: number;
  readonly gridTop: number;
}

/** Grid maths: `legendRows` rows of legend sit between the header lines and the grid. */
export function sheetGeometry(
  count: number,
  tile: number,
  columns: number,
  legendRowCount: number,
): SheetGeometry {
  const cols = Math.max(1, Math.min(columns, count));
  const rows = Math.ceil(count / cols);
  const width = sheetWidth(count, tile, columns);
  const legendTop = SHEET.gap + SHEET.headerLines * SHEET.headerLine;
  const gridTop = legendTop + legendRowCount * SHEET.legendLine + SHEET.gap;
  const height = gridTop + rows * (tile + SHEET.caption + SHEET.gap);
  return { columns: cols, rows, width, height, legendTop, gridTop };
}

/** Fewer images than columns: the grid narrows, down to a width that still holds the header. */
export function sheetWidth(count: number, tile: number, columns: number): number {
  return Math.max(SHEET.minWidth, SHEET.gap + Math.max(1, Math.min(columns, count)) * (tile + SHEET.gap));
}

export function tileOrigin(g: SheetGeometry, tile: number, index: number): { x: number; y: number } {
  return {
    x: SHEET.gap + (index % g.columns) * (tile + SHEET.gap),
    y: g.gridTop + Math.floor(index / g.columns) * (tile + SHEET.caption + SHEET.gap),
  };
}

export interface DrawnTile {
  readonly image: string;
  readonly name: string;
  readonly split?: Split;
  /** Top-left of the tile on the sheet. */
  readonly x: number;
  readonly y: number;
  readonly status: "ok" | "empty" | "unreadable";
  readonly reason?: string;
  /** Where the thumbnail lies on the sheet (absent when unreadable). */
  readonly imageRect?: PixelRect;
  readonly boxes: readonly DrawnBox[];
  readonly labelProblems: number;
}

export interface SheetHeader {
  readonly source: string;
  /** "class: Truck · mode: Night", or "" without filters. */
  readonly filters: string;
  /** Images that passed the filters, and all images in the source. */
  readonly matched: number;
  readonly total: number;
  readonly seed: number;
}

export interface SheetOptions {
  readonly items: readonly LoadedItem[];
  readonly catalog: ClassCatalog;
  readonly filter: BoxFilter;
  readonly tile: number;
  readonly columns: number;
  readonly header: SheetHeader;
  readonly out: string;
  readonly log: ProblemLog;
  readonly onProgress?: () => void;
}

export interface SheetResult {
  readonly out: string;
  readonly geometry: SheetGeometry;
  readonly tiles: readonly DrawnTile[];
}

export async function renderSheet(o: SheetOptions): Promise<SheetResult> {
  const { tile } = o;
  const jobs = Math.max(2, Math.min(8, availableParallelism()));
  const thumbs = await mapLimit(o.items, jobs, async (it) => {
    const t = await loadFitted(it.image, tile, tile, SHEET.tileBackground, true);
    o.onProgress?.();
    return t;
  });
  const width = sheetWidth(o.items.length, tile, o.columns);
  const tilesNoPos = o.items.map((it, i) => layoutTile(it, thumbs[i]!, o));
  const legend = legendOf(tilesNoPos.flatMap((t) => t.boxes));
  const g = sheetGeometry(
    o.items.length,
    tile,
    o.columns,
    legendRows(legend, width - 2 * SHEET.gap, SHEET.legendFont),
  );
  const tiles = tilesNoPos.map((t, i) => shift(t, tileOrigin(g, tile, i)));

  for (const [i, it] of o.items.entries()) {
    o.log.addAll(it.problems);
    const t = tiles[i]!;
    if (t.status === "unreadable") o.log.error(it.image, `unreadable image: ${t.reason ?? "unknown reason"}`);
  }

  const under = tiles
    .map((t) => svgRect(t.x, t.y, tile, tile, t.status === "unreadable" ? "#3b1c1c" : SHEET.tileBackground))
    .join("");
  const over = [
    headerSvg(o, tiles, g),
    legendSvg(legend, SHEET.gap, g.legendTop, g.width - 2 * SHEET.gap, SHEET.legendFont, SHEET.legendLine),
  ];
  for (const t of tiles) over.push(tileSvg(t, tile));
  const png = await sharp({
    create: { width: g.width, height: g.height, channels: 3, background: SHEET.background },
  })
    .composite([
      { input: svgDocument(g.width, g.height, under), left: 0, top: 0 },
      ...tiles.flatMap((t, i) => {
        const th = thumbs[i]!;
        if (!th.ok || !t.imageRect) return [];
        return [
          {
            input: th.data,
            raw: { width: th.width, height: th.height, channels: 3 as const },
            left: t.imageRect.left,
            top: t.imageRect.top,
          },
        ];
      }),
      { input: svgDocument(g.width, g.height, over.join("")), left: 0, top: 0 },
    ])
    .png()
    .toBuffer();
  await writeFileAtomic(o.out, png);
  return { out: o.out, geometry: g, tiles };
}

/** A tile laid out at the origin; `shift` moves it to its grid cell. */
function layoutTile(it: LoadedItem, th: Fitted, o: SheetOptions): DrawnTile {
  const base = {
    image: it.image,
    name: it.name,
    ...(it.split ? { split: it.split } : {}),
    x: 0,
    y: 0,
    labelProblems: it.problems.filter((p) => p.severity === "error").length,
  };
  if (!th.ok) return { ...base, status: "unreadable", reason: th.reason, boxes: [] };
  const rect = {
    left: Math.floor((o.tile - th.width) / 2),
    top: Math.floor((o.tile - th.height) / 2),
    width: th.width,
    height: th.height,
  };
  return {
    ...base,
    status: it.boxes.length === 0 ? "empty" : "ok",
    imageRect: rect,
    boxes: placeBoxes(it.boxes, rect, o.catalog, o.filter),
  };
}

function shift(t: DrawnTile, at: { x: number; y: number }): DrawnTile {
  const move = <B extends { x1: number; y1: number; x2: number; y2: number }>(b: B): B => ({
    ...b,
    x1: b.x1 + at.x,
    x2: b.x2 + at.x,
    y1: b.y1 + at.y,
    y2: b.y2 + at.y,
  });
  return {
    ...t,
    x: at.x,
    y: at.y,
    ...(t.imageRect
      ? { imageRect: { ...t.imageRect, left: t.imageRect.left + at.x, top: t.imageRect.top + at.y } }
      : {}),
    boxes: t.boxes.map(move),
  };
}

function tileSvg(t: DrawnTile, tile: number): string {
  const font = Math.max(9, Math.min(13, Math.round(tile / 28)));
  const bounds: Bounds = { left: t.x, top: t.y, right: t.x + tile, bottom: t.y + tile };
  const parts: string[] = [boxesSvg(t.boxes, { stroke: 2, font }, bounds)];
  const marks: [string, string][] = [];
  if (t.status === "empty") marks.push(["empty", "#5a5a5a"]);
  if (t.labelProblems > 0)
    marks.push([`${t.labelProblems} bad label line${t.labelProblems === 1 ? "" : "s"}`, "#c62828"]);
  const tagH = font + Math.max(2, Math.round(font * 0.3)) + 1;
  marks.forEach(([text, colour], k) =>
    parts.push(tagSvg(t.x + 3, t.y + tile - 3 - (k + 1) * (tagH + 2), text, colour, font, bounds)),
  );
  if (t.status === "unreadable") {
    const lines = wrap(`unreadable: ${t.reason ?? ""}`, Math.floor((tile - 16) / (font * 0.602)));
    lines
      .slice(0, 8)
      .forEach((l, k) =>
        parts.push(svgText(t.x + 8, t.y + 24 + k * (font + 4), l, font, "#ff8a80", k === 0)),
      );
  }
  const caption = t.split ? `${t.split}/${t.name}` : t.name;
  parts.push(svgText(t.x, t.y + tile + 13, fitText(caption, 11, tile), 11, "#cfcfcf"));
  return parts.join("");
}

function headerSvg(o: SheetOptions, tiles: readonly DrawnTile[], g: SheetGeometry): string {
  const room = g.width - 2 * SHEET.gap;
  const unreadable = tiles.filter((t) => t.status === "unreadable").length;
  const bad = tiles.reduce((n, t) => n + t.labelProblems, 0);
  const boxes = tiles.reduce((n, t) => n + t.boxes.length, 0);
  const h = o.header;
  const shown =
    h.matched > tiles.length
      ? `${tiles.length} of ${h.matched} matching images (seed ${h.seed})`
      : `${tiles.length} image${tiles.length === 1 ? "" : "s"}`;
  const stats = [h.filters, shown, `${boxes} boxes`, `${h.total} in source`];
  if (unreadable > 0) stats.push(`${unreadable} unreadable`);
  if (bad > 0) stats.push(`${bad} bad label lines`);
  const line2 = stats.filter((s) => s !== "").join(" · ");
  return (
    svgText(SHEET.gap, SHEET.gap + 14, fitText(h.source, 14, room), 14, "#ffffff", true) +
    svgText(
      SHEET.gap,
      SHEET.gap + SHEET.headerLine + 13,
      fitText(line2, 12, room),
      12,
      unreadable + bad > 0 ? "#ffcc80" : "#bdbdbd",
    )
  );
}

/** Word wrap to `perLine` characters; a word longer than a line is cut. */
function wrap(text: string, perLine: number): string[] {
  const n = Math.max(1, perLine);
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    for (let w = word; w !== ""; w = [...w].slice(n).join("")) {
      const piece = [...w].slice(0, n).join("");
      const joined = line === "" ? piece : `${line} ${piece}`;
      if ([...joined].length <= n) line = joined;
      else {
        lines.push(line);
        line = piece;
      }
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
