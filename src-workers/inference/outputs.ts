/**
 * The files of one inference run, created exclusively inside its folder: detections.jsonl (a line
 * per sampled frame or image, written as results come), summary.csv and run.json (at the end).
 */
import { mkdir, open, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { FrameResult, ImageResult, InferDetection } from "./types.js";

export const OUTPUT_FILES = {
  detections: "detections.jsonl",
  summary: "summary.csv",
  video: "annotated.mp4",
  run: "run.json",
} as const;

export class RunOutputs {
  lines = 0;
  detections = 0;

  private constructor(
    readonly dir: string,
    private readonly jsonl: FileHandle,
  ) {}

  static async create(dir: string): Promise<RunOutputs> {
    await mkdir(dir, { recursive: true });
    return new RunOutputs(dir, await open(join(dir, OUTPUT_FILES.detections), "wx"));
  }

  path(name: keyof typeof OUTPUT_FILES): string {
    return join(this.dir, OUTPUT_FILES[name]);
  }

  async write(r: FrameResult | ImageResult): Promise<void> {
    const line = { ...r, detections: r.detections.map(rounded) };
    await this.jsonl.write(`${JSON.stringify(line)}\n`);
    this.lines++;
    this.detections += r.detections.length;
  }

  async finish(summaryCsv: string, run: Record<string, unknown>): Promise<void> {
    await this.close();
    await writeFile(this.path("summary"), summaryCsv, { flag: "wx" });
    await writeFile(this.path("run"), `${JSON.stringify(run, null, 2)}\n`, { flag: "wx" });
  }

  async close(): Promise<void> {
    await this.jsonl.close().catch(() => undefined);
  }
}

/** Hundredths of a pixel and 4-digit scores: exact enough, and lines stay short. */
function rounded(d: InferDetection): InferDetection {
  const r = (x: number, k: number): number => Math.round(x * k) / k;
  return {
    xyxy: [r(d.xyxy[0], 100), r(d.xyxy[1], 100), r(d.xyxy[2], 100), r(d.xyxy[3], 100)],
    conf: r(d.conf, 1e4),
    cls: d.cls,
    name: d.name,
    track: d.track,
  };
}
