/**
 * Small SVG charts rendered to PNG with sharp (as the visualiser draws): line panels with axes, ticks,
 * grid and legend, and a heat map. Used for results.png, PR/F1 curves and the confusion matrix.
 */
import { rename, rm } from "node:fs/promises";
import sharp from "sharp";
import { svgText, textWidth } from "../../data/visualise/svg.js";

export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly colour: string;
  readonly width?: number;
  /** Drawn as markers too (few points, e.g. epochs). */
  readonly markers?: boolean;
}

export interface Panel {
  readonly title: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly series: readonly Series[];
  /** Fixed ranges (default: the data's, padded). */
  readonly x?: readonly [number, number];
  readonly y?: readonly [number, number];
  readonly legend?: boolean;
}

/** Distinct colours for per-class lines (tab10-like). */
export const PALETTE = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
] as const; // prettier-ignore

const FONT_SIZE = 11;

/** About 5 round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** Tick labels with as many decimals as the step needs, so close ticks do not read alike. */
function tickLabels(ticks: readonly number[]): string[] {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
  const big = Math.max(...ticks.map(Math.abs));
  if (big >= 1e5 || (big > 0 && big < 1e-3)) return ticks.map((v) => (v === 0 ? "0" : v.toExponential(1)));
  let decimals = 0;
  while (decimals < 8 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6)
    decimals++;
  return ticks.map((v) => String(Number(v.toFixed(decimals))));
}

function extent(values: number[], fixed?: readonly [number, number]): [number, number] {
  if (fixed) return [fixed[0], fixed[1]];
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** One panel as SVG, placed at (left, top) with the given outer size. */
export function panelSvg(p: Panel, left: number, top: number, width: number, height: number): string {
  const m = { l: 48, r: 10, t: 22, b: p.xLabel ? 34 : 22 };
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  const xs = extent(
    p.series.flatMap((s) => [...s.x]),
    p.x,
  );
  const ys = extent(
    p.series.flatMap((s) => [...s.y]),
    p.y,
  );
  const X = (v: number) => left + m.l + ((v - xs[0]) / (xs[1] - xs[0])) * w;
  const Y = (v: number) => top + m.t + h - ((v - ys[0]) / (ys[1] - ys[0])) * h;
  const parts: string[] = [];
  parts.push(
    `<rect x="${left + m.l}" y="${top + m.t}" width="${w}" height="${h}" fill="#ffffff" stroke="#444444"/>`,
  );
  const xt = niceTicks(xs[0], xs[1]);
  const xl = tickLabels(xt);
  for (const [i, t] of xt.entries()) {
    const x = X(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${top + m.t}" x2="${x}" y2="${top + m.t + h}" stroke="#e5e5e5"/>`);
    const label = xl[i]!;
    parts.push(
      svgText(X(t) - label.length * FONT_SIZE * 0.3, top + m.t + h + 13, label, FONT_SIZE - 1, "#333333"),
    );
  }
  const yt = niceTicks(ys[0], ys[1]);
  const yl = tickLabels(yt);
  for (const [i, t] of yt.entries()) {
    const y = Y(t).toFixed(1);
    parts.push(`<line x1="${left + m.l}" y1="${y}" x2="${left + m.l + w}" y2="${y}" stroke="#e5e5e5"/>`);
    const label = yl[i]!;
    parts.push(
      svgText(left + m.l - 4 - label.length * FONT_SIZE * 0.6, Y(t) + 4, label, FONT_SIZE - 1, "#333333"),
    );
  }
  parts.push(
    `<clipPath id="c${left}_${top}"><rect x="${left + m.l}" y="${top + m.t}" width="${w}" height="${h}"/></clipPath>`,
  );
  for (const s of p.series) {
    const pts: string[] = [];
    s.x.forEach((xv, i) => {
      const yv = s.y[i]!;
      if (Number.isFinite(xv) && Number.isFinite(yv)) pts.push(`${X(xv).toFixed(1)},${Y(yv).toFixed(1)}`);
    });
    if (pts.length === 0) continue;
    parts.push(
      `<polyline clip-path="url(#c${left}_${top})" fill="none" stroke="${s.colour}" stroke-width="${s.width ?? 1.5}" stroke-linejoin="round" points="${pts.join(" ")}"/>`,
    );
    if (s.markers)
      for (const pt of pts) {
        const [cx, cy] = pt.split(",");
        parts.push(`<circle cx="${cx}" cy="${cy}" r="2.2" fill="${s.colour}"/>`);
      }
  }
  parts.push(
    svgText(
      left + m.l + w / 2 - p.title.length * FONT_SIZE * 0.33,
      top + 15,
      p.title,
      FONT_SIZE + 1,
      "#000000",
      true,
    ),
  );
  if (p.xLabel)
    parts.push(
      svgText(
        left + m.l + w / 2 - p.xLabel.length * FONT_SIZE * 0.3,
        top + height - 6,
        p.xLabel,
        FONT_SIZE,
        "#000000",
      ),
    );
  if (p.yLabel)
    parts.push(
      `<g transform="translate(${left + 11} ${top + m.t + h / 2 + p.yLabel.length * FONT_SIZE * 0.3}) rotate(-90)">${svgText(0, 0, p.yLabel, FONT_SIZE, "#000000")}</g>`,
    );
  if (p.legend) {
    const shown = p.series.filter((s) => s.name !== "").slice(0, 12);
    const lw = Math.min(w * 0.6, Math.max(...shown.map((s) => s.name.length)) * FONT_SIZE * 0.6 + 30);
    const lx = left + m.l + w - lw - 6;
    const ly = top + m.t + 6;
    parts.push(
      `<rect x="${lx}" y="${ly}" width="${lw}" height="${shown.length * 14 + 6}" fill="#ffffff" fill-opacity="0.85" stroke="#bbbbbb"/>`,
    );
    shown.forEach((s, i) => {
      const y = ly + 12 + i * 14;
      parts.push(
        `<line x1="${lx + 4}" y1="${y - 4}" x2="${lx + 20}" y2="${y - 4}" stroke="${s.colour}" stroke-width="${s.width ?? 1.5}"/>`,
      );
      parts.push(
        svgText(
          lx + 24,
          y,
          s.name.slice(0, Math.floor((lw - 28) / (FONT_SIZE * 0.6))),
          FONT_SIZE - 1,
          "#000000",
        ),
      );
    });
  }
  return parts.join("");
}

/** A grid of panels, `cols` across. */
export function panelsSvg(panels: readonly Panel[], cols: number, cell: { w: number; h: number }): string {
  const rows = Math.ceil(panels.length / cols);
  const body = panels.map((p, i) =>
    panelSvg(p, (i % cols) * cell.w, Math.floor(i / cols) * cell.h, cell.w, cell.h),
  );
  return svgDocument(cols * cell.w, rows * cell.h, body.join(""));
}

export function svgDocument(width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#ffffff"/>${body}</svg>`;
}

/** Heat-map cell colour: white to dark blue over 0..1 (Ultralytics' "Blues"). */
export function blues(v: number): string {
  const t = Math.max(0, Math.min(1, v));
  const c = (a: number, b: number) =>
    Math.round(a + (b - a) * t)
      .toString(16)
      .padStart(2, "0");
  return `#${c(247, 8)}${c(251, 48)}${c(255, 107)}`;
}

/** Rows x cols matrix as a labelled heat map; `values` row-major, `fill` in 0..1 for the colour. */
export function heatmapSvg(o: {
  readonly title: string;
  readonly rowLabels: readonly string[];
  readonly colLabels: readonly string[];
  readonly values: readonly number[];
  readonly fill: readonly number[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly format: (v: number) => string;
}): { svg: string; width: number; height: number } {
  const n = o.rowLabels.length;
  const k = o.colLabels.length;
  const cell = Math.max(14, Math.min(48, Math.floor(900 / Math.max(n, k))));
  const labelW = Math.min(180, Math.max(...o.rowLabels.map((s) => s.length), 4) * 6.6 + 10);
  const labelH = Math.min(180, Math.max(...o.colLabels.map((s) => s.length), 4) * 6.6 + 10);
  const left = labelW + 24;
  const top = 30;
  const width = Math.max(left + k * cell + 20, left + textWidth(o.title, 14) + 20);
  const height = top + n * cell + labelH + 24;
  const parts: string[] = [svgText(left, 20, o.title, 14, "#000000", true)];
  const showValues = cell >= 22;
  for (let r = 0; r < n; r++)
    for (let c = 0; c < k; c++) {
      const v = o.values[r * k + c]!;
      const f = o.fill[r * k + c]!;
      const x = left + c * cell;
      const y = top + r * cell;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${blues(f)}" stroke="#ffffff" stroke-width="0.5"/>`,
      );
      if (showValues && v !== 0) {
        const s = o.format(v);
        const size = Math.min(11, cell / 3);
        parts.push(
          svgText(
            x + cell / 2 - s.length * size * 0.3,
            y + cell / 2 + size / 3,
            s,
            size,
            f > 0.5 ? "#ffffff" : "#000000",
          ),
        );
      }
    }
  o.rowLabels.forEach((s, r) =>
    parts.push(svgText(left - 4 - s.length * 6.6, top + r * cell + cell / 2 + 4, s, 11, "#000000")),
  );
  o.colLabels.forEach((s, c) => {
    const x = left + c * cell + cell / 2 + 4;
    const y = top + n * cell + 6;
    parts.push(`<g transform="translate(${x} ${y}) rotate(90)">${svgText(0, 0, s, 11, "#000000")}</g>`);
  });
  parts.push(
    svgText(left + (k * cell) / 2 - o.xLabel.length * 3.6, height - 6, o.xLabel, 12, "#000000", true),
  );
  parts.push(
    `<g transform="translate(14 ${top + (n * cell) / 2 + o.yLabel.length * 3.6}) rotate(-90)">${svgText(0, 0, o.yLabel, 12, "#000000", true)}</g>`,
  );
  return { svg: svgDocument(width, height, parts.join("")), width, height };
}

/** Render SVG to a PNG file atomically (temp file + rename). */
export async function writeSvgPng(file: string, svg: string): Promise<void> {
  const tmp = `${file}.partial-${process.pid}.png`;
  try {
    await sharp(Buffer.from(svg)).png({ compressionLevel: 6 }).toFile(tmp);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
