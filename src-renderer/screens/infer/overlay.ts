/**
 * What the player draws: the sampled frame shown at a video time (the latest sample at or before the
 * current frame, as the annotated video holds boxes between samples), and the boxes on a canvas laid
 * over the video's letterboxed picture.
 */
import type { Detection, InferResult } from "../../../src-workers/host/contract/index.js";

export type Sample = InferResult["samples"][number];

/** The frame shown at media time `t` (frame k is shown from k / fps). */
export function frameAt(t: number, fps: number): number {
  return Math.max(0, Math.floor(t * fps + 1e-3));
}

/** Index of the latest sample whose frame is <= `frame`, or -1 before the first (samples are in order). */
export function sampleIndexAt(samples: readonly Sample[], frame: number): number {
  let lo = 0;
  let hi = samples.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((samples[mid]?.frame ?? Infinity) <= frame) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export interface Picture {
  /** The video's picture inside the element (object-fit: contain). */
  readonly x: number;
  readonly y: number;
  readonly scale: number;
}

export function containRect(boxW: number, boxH: number, videoW: number, videoH: number): Picture {
  if (videoW <= 0 || videoH <= 0) return { x: 0, y: 0, scale: 1 };
  const scale = Math.min(boxW / videoW, boxH / videoH);
  return { x: (boxW - videoW * scale) / 2, y: (boxH - videoH * scale) / 2, scale };
}

export interface DrawOptions {
  readonly minConf: number;
  /** Class ids hidden by the filter. */
  readonly hidden: ReadonlySet<number>;
  readonly colourOf: (cls: number) => string;
}

export function visibleDetections(
  dets: readonly Detection[],
  opts: Pick<DrawOptions, "minConf" | "hidden">,
): Detection[] {
  return dets.filter((d) => d.score >= opts.minConf && !opts.hidden.has(d.cls));
}

/**
 * Draw boxes and labels on a canvas the size of the video element (in CSS pixels times dpr); returns
 * how many boxes it drew.
 */
export function drawDetections(
  ctx: CanvasRenderingContext2D,
  dets: readonly Detection[],
  pic: Picture,
  dpr: number,
  opts: DrawOptions,
): number {
  const shown = visibleDetections(dets, opts);
  ctx.save();
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.lineWidth = 2;
  ctx.font = "12px system-ui, sans-serif";
  ctx.textBaseline = "bottom";
  for (const d of shown) {
    const [x1, y1, x2, y2] = d.box;
    const x = pic.x + x1 * pic.scale;
    const y = pic.y + y1 * pic.scale;
    const w = (x2 - x1) * pic.scale;
    const h = (y2 - y1) * pic.scale;
    const colour = opts.colourOf(d.cls);
    ctx.strokeStyle = colour;
    ctx.strokeRect(x, y, w, h);
    const label = `${d.name} ${(d.score * 100).toFixed(0)}%${d.track !== null ? ` #${d.track}` : ""}`;
    const tw = ctx.measureText(label).width + 6;
    const ty = y > 16 ? y : y + 16;
    ctx.fillStyle = colour;
    ctx.fillRect(x - 1, ty - 16, tw, 16);
    ctx.fillStyle = "#111";
    ctx.fillText(label, x + 2, ty - 2);
  }
  ctx.restore();
  return shown.length;
}

export interface ClassTrack {
  readonly cls: number;
  readonly name: string;
  /** Detections over all samples (any confidence). */
  readonly count: number;
  /** [start, end) times in seconds when the class is on screen at or above the confidence. */
  readonly spans: readonly (readonly [number, number])[];
}

/**
 * Per class, the time spans it was detected: a sample with the class starts or extends a span that
 * lasts until the next sample (the boxes are held between samples).
 */
export function classTracks(result: InferResult, minConf: number): ClassTrack[] {
  const byCls = new Map<number, { name: string; count: number; spans: [number, number][] }>();
  const samples = result.samples;
  const duration =
    result.frames > 0 ? result.frames / result.fps : (samples.at(-1)?.time ?? 0) + result.stride / result.fps;
  samples.forEach((s, i) => {
    const end = samples[i + 1]?.time ?? Math.max(duration, s.time + result.stride / result.fps);
    const present = new Set<number>();
    for (const d of s.detections) {
      let e = byCls.get(d.cls);
      if (!e) byCls.set(d.cls, (e = { name: d.name, count: 0, spans: [] }));
      e.count++;
      if (d.score >= minConf) present.add(d.cls);
    }
    for (const cls of present) {
      const spans = byCls.get(cls)!.spans;
      const last = spans.at(-1);
      if (last && Math.abs(last[1] - s.time) < 1e-6) last[1] = end;
      else spans.push([s.time, end]);
    }
  });
  return [...byCls.entries()]
    .map(([cls, e]) => ({ cls, name: e.name, count: e.count, spans: e.spans }))
    .sort((a, b) => a.cls - b.cls);
}
