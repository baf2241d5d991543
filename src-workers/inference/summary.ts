/**
 * Per-class summaries as CSV: over time for a video (per interval: sampled frames, detections, the
 * most seen in one frame, the mean per frame, distinct track ids), per class for images.
 */
import type { FrameResult, ImageResult } from "./types.js";

interface Bucket {
  frames: number;
  readonly byClass: Map<number, { detections: number; max: number; tracks: Set<number> }>;
}

export class TimeSummary {
  private readonly buckets = new Map<number, Bucket>();
  private readonly names = new Map<number, string>();
  private last = -1;

  /** `every`: interval length in seconds. */
  constructor(readonly every = 1) {
    if (!(every > 0)) throw new RangeError(`summary interval ${every} is not positive`);
  }

  add(r: FrameResult): void {
    const k = Math.floor(r.time / this.every + 1e-9);
    this.last = Math.max(this.last, k);
    let b = this.buckets.get(k);
    if (!b) this.buckets.set(k, (b = { frames: 0, byClass: new Map() }));
    b.frames++;
    const counts = new Map<number, number>();
    for (const d of r.detections) {
      this.names.set(d.cls, d.name);
      counts.set(d.cls, (counts.get(d.cls) ?? 0) + 1);
      let c = b.byClass.get(d.cls);
      if (!c) b.byClass.set(d.cls, (c = { detections: 0, max: 0, tracks: new Set() }));
      c.detections++;
      if (d.track !== null) c.tracks.add(d.track);
    }
    for (const [cls, n] of counts) {
      const c = b.byClass.get(cls)!;
      c.max = Math.max(c.max, n);
    }
  }

  /** Every interval from the start to the last sampled frame, every class seen anywhere (zeros included). */
  csv(): string {
    const head = "start_s,end_s,frames,class,name,detections,max_per_frame,mean_per_frame,tracks\n";
    const classes = [...this.names.keys()].sort((a, b) => a - b);
    const lines: string[] = [];
    for (let k = 0; k <= this.last; k++) {
      const b: Bucket = this.buckets.get(k) ?? { frames: 0, byClass: new Map() };
      const span = `${num(k * this.every)},${num((k + 1) * this.every)},${b.frames}`;
      for (const cls of classes) {
        const c = b.byClass.get(cls);
        const mean = c && b.frames > 0 ? c.detections / b.frames : 0;
        lines.push(
          `${span},${cls},${csvText(this.names.get(cls)!)},${c?.detections ?? 0},${c?.max ?? 0},${num(mean)},${c?.tracks.size ?? 0}\n`,
        );
      }
    }
    return head + lines.join("");
  }
}

export class ImageSummary {
  private readonly byClass = new Map<
    number,
    { name: string; images: number; detections: number; conf: number }
  >();
  images = 0;

  add(r: ImageResult): void {
    this.images++;
    const seen = new Set<number>();
    for (const d of r.detections) {
      let c = this.byClass.get(d.cls);
      if (!c) this.byClass.set(d.cls, (c = { name: d.name, images: 0, detections: 0, conf: 0 }));
      c.detections++;
      c.conf += d.conf;
      if (!seen.has(d.cls)) c.images++;
      seen.add(d.cls);
    }
  }

  csv(): string {
    const rows = [...this.byClass.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(
        ([cls, c]) => `${cls},${csvText(c.name)},${c.images},${c.detections},${num(c.conf / c.detections)}\n`,
      );
    return `class,name,images,detections,mean_conf\n${rows.join("")}`;
  }
}

function num(x: number): string {
  return String(Number(x.toFixed(4)));
}

/** A CSV field, quoted when it holds a comma, quote or line break. */
export function csvText(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
