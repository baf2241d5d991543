/**
 * SVG pieces for the overlays: boxes with class tags, text, legend. Text is DejaVu Sans Mono so a
 * label's width is known exactly (0.602 em a character) and tags fit their text without measuring.
 */
export const FONT = "DejaVu Sans Mono";
const ADVANCE = 0.602;

// Characters XML 1.0 cannot hold; file names can contain anything.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** XML-safe text for SVG <text> and attributes. */
export function escapeXml(s: string): string {
  return s
    .replace(NOT_XML, "")
    .replace(LONE_SURROGATE, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export function textWidth(text: string, size: number): number {
  return [...text].length * size * ADVANCE;
}

/** Shorten text to fit a width, cutting the middle so both the start and the extension stay readable. */
export function fitText(text: string, size: number, maxWidth: number): string {
  const chars = [...text];
  const room = Math.floor(maxWidth / (size * ADVANCE));
  if (chars.length <= room) return text;
  if (room <= 1) return room === 1 ? "…" : "";
  const head = Math.ceil((room - 1) / 2);
  const tail = room - 1 - head;
  return `${chars.slice(0, head).join("")}…${tail > 0 ? chars.slice(-tail).join("") : ""}`;
}

/** Black or white, whichever reads better on a #rrggbb background. */
export function textColourOn(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const lum = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return lum > 0.22 ? "#000000" : "#ffffff";
}

export function svgText(
  x: number,
  y: number,
  text: string,
  size: number,
  fill: string,
  bold = false,
): string {
  return `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${size}"${bold ? ' font-weight="bold"' : ""} fill="${fill}" xml:space="preserve">${escapeXml(text)}</text>`;
}

export function svgRect(x: number, y: number, w: number, h: number, fill: string, extra = ""): string {
  return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}"${extra}/>`;
}

export interface Bounds {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** A filled tag with text, kept inside `bounds`; (x, y) is its top-left corner. */
export function tagSvg(x: number, y: number, text: string, bg: string, size: number, bounds: Bounds): string {
  const pad = Math.max(2, Math.round(size * 0.3));
  const shown = fitText(text, size, bounds.right - bounds.left - 2 * pad);
  const w = Math.ceil(textWidth(shown, size)) + 2 * pad;
  const h = size + pad + 1;
  const left = Math.max(bounds.left, Math.min(x, bounds.right - w));
  const top = Math.max(bounds.top, Math.min(y, bounds.bottom - h));
  return (
    svgRect(left, top, w, h, bg) + svgText(left + pad, top + size - 1, shown, size, textColourOn(bg), true)
  );
}

export interface BoxStyle {
  readonly stroke: number;
  readonly font: number;
}

/**
 * A box: a dark halo under a class-colour stroke (visible on bright and dark ground alike),
 * and a tag with the class name above it, or inside its top when there is no room above.
 * Boxes outside a filter are thin, dashed, faded and untagged so the matching ones stand out.
 */
export function boxSvg(
  r: { x1: number; y1: number; x2: number; y2: number },
  colour: string,
  label: string,
  style: BoxStyle,
  bounds: Bounds,
  dim = false,
): string {
  const w = Math.max(1, r.x2 - r.x1);
  const h = Math.max(1, r.y2 - r.y1);
  const geom = `x="${r.x1}" y="${r.y1}" width="${w}" height="${h}" fill="none"`;
  if (dim) return `<rect ${geom} stroke="${colour}" stroke-width="1" stroke-dasharray="4 3" opacity="0.7"/>`;
  const halo = `<rect ${geom} stroke="#000000" stroke-opacity="0.55" stroke-width="${style.stroke + 2}"/>`;
  const line = `<rect ${geom} stroke="${colour}" stroke-width="${style.stroke}"/>`;
  const tagH = style.font + Math.max(2, Math.round(style.font * 0.3)) + 1;
  const above = r.y1 - style.stroke / 2 - tagH;
  const tagY = above >= bounds.top ? above : r.y1 + style.stroke / 2;
  return halo + line + tagSvg(r.x1 - style.stroke / 2, tagY, label, colour, style.font, bounds);
}

export interface LegendEntry {
  readonly label: string;
  readonly colour: string;
  readonly count: number;
}

interface Placed {
  readonly entry: LegendEntry;
  readonly x: number;
  readonly row: number;
}

function legendLayout(entries: readonly LegendEntry[], maxWidth: number, size: number): Placed[] {
  const placed: Placed[] = [];
  let x = 0;
  let row = 0;
  for (const entry of entries) {
    const w = size + 6 + textWidth(`${entry.label} ${entry.count}`, size) + size * 1.5;
    if (x > 0 && x + w > maxWidth) {
      x = 0;
      row++;
    }
    placed.push({ entry, x, row });
    x += w;
  }
  return placed;
}

export function legendRows(entries: readonly LegendEntry[], maxWidth: number, size: number): number {
  const placed = legendLayout(entries, maxWidth, size);
  return placed.length === 0 ? 0 : placed[placed.length - 1]!.row + 1;
}

/** Swatch + "Name (Mode) count" per entry, wrapped to `maxWidth`, rows `lineHeight` apart. */
export function legendSvg(
  entries: readonly LegendEntry[],
  x: number,
  y: number,
  maxWidth: number,
  size: number,
  lineHeight: number,
): string {
  return legendLayout(entries, maxWidth, size)
    .map(({ entry, x: dx, row }) => {
      const top = y + row * lineHeight;
      const swatch = svgRect(x + dx, top + 1, size, size, entry.colour, ' stroke="#000000" stroke-width="1"');
      return (
        swatch + svgText(x + dx + size + 6, top + size - 1, `${entry.label} ${entry.count}`, size, "#e8e8e8")
      );
    })
    .join("");
}

export function svgDocument(width: number, height: number, body: string): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${body}</svg>`,
  );
}
