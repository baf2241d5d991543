/**
 * Writing predictions: YOLO label files (normalised cx cy w h, optional conf), one JSON line per
 * image, and images with the boxes drawn (the visualiser's boxes and tags). Nothing is written
 * over: files are created exclusively inside the run folder.
 */
import { mkdir, open, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { stemOf } from "../../core/layout.js";
import { boxesSvg, type DrawnBox } from "../../data/visualise/overlay.js";
import { svgDocument } from "../../data/visualise/svg.js";
import type { RgbImage } from "../../core/image-decode.js";
import type { PredictResult } from "./predictor.js";
import type { ClassStyle } from "./styles.js";

/** A number as Python's "%g" writes it (6 significant digits, no trailing zeros). */
export function fmtG(x: number): string {
  if (x === 0) return "0";
  const trim = (m: string) => (m.includes(".") ? m.replace(/\.?0+$/, "") : m);
  const [m = "", e = "0"] = x.toExponential(5).split("e");
  const exp = Number(e);
  if (exp < -4 || exp >= 6)
    return `${trim(m)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return trim(x.toPrecision(6));
}

/** YOLO label text: "cls cx cy w h [conf]" per detection, normalised by the image size. */
export function yoloLabelText(r: PredictResult, saveConf = false): string {
  return r.detections
    .map((d) => {
      const [x1, y1, x2, y2] = d.xyxy;
      const v = [
        (x1 + x2) / 2 / r.width,
        (y1 + y2) / 2 / r.height,
        (x2 - x1) / r.width,
        (y2 - y1) / r.height,
      ];
      const cols = [String(d.cls), ...v.map(fmtG), ...(saveConf ? [fmtG(d.conf)] : [])];
      return `${cols.join(" ")}\n`;
    })
    .join("");
}

/** One JSON line per image (no newline inside). */
export function jsonLine(r: PredictResult): string {
  return `${JSON.stringify(r)}\n`;
}

/** A PNG of the image with each detection's box and a "name 0.87" tag in its class colour. */
export async function drawDetections(
  image: RgbImage,
  r: PredictResult,
  styles: readonly ClassStyle[],
): Promise<Buffer> {
  const { width, height } = image;
  const font = Math.max(11, Math.min(18, Math.round(Math.min(width, height) / 60)));
  const stroke = Math.min(width, height) >= 900 ? 3 : 2;
  // Lowest confidence first, so the strongest boxes and their tags end up on top.
  const boxes: DrawnBox[] = [...r.detections].reverse().map((d) => {
    const s = styles[d.cls] ?? { name: d.name, colour: "#ffffff" };
    return {
      classId: d.cls,
      label: `${s.name} ${d.conf.toFixed(2)}`,
      colour: s.colour,
      x1: Math.round(d.xyxy[0]),
      y1: Math.round(d.xyxy[1]),
      x2: Math.round(d.xyxy[2]),
      y2: Math.round(d.xyxy[3]),
      matched: true,
    };
  });
  const svg = boxesSvg(boxes, { stroke, font }, { left: 0, top: 0, right: width, bottom: height });
  return sharp(image.data, { raw: { width, height, channels: 3 } })
    .composite([{ input: svgDocument(width, height, svg), left: 0, top: 0 }])
    .png()
    .toBuffer();
}

export interface WriterOptions {
  readonly txt: boolean;
  readonly conf: boolean;
  readonly json: boolean;
  readonly img: boolean;
  readonly styles: readonly ClassStyle[];
}

/** The files of one prediction run under `dir`: labels/, images/, predictions.jsonl. */
export class PredictionWriter {
  private jsonl: FileHandle | undefined;
  private readonly stems = new Set<string>();
  images = 0;
  detections = 0;

  private constructor(
    readonly dir: string,
    readonly options: WriterOptions,
  ) {}

  static async create(dir: string, options: WriterOptions): Promise<PredictionWriter> {
    const w = new PredictionWriter(dir, options);
    await mkdir(dir, { recursive: true });
    if (options.txt) await mkdir(join(dir, "labels"));
    if (options.img) await mkdir(join(dir, "images"));
    if (options.json) w.jsonl = await open(join(dir, "predictions.jsonl"), "wx");
    return w;
  }

  /** A stem not used yet in this run: two inputs named alike keep both outputs (a_2, a_3, ...). */
  private uniqueStem(file: string): string {
    const stem = stemOf(file);
    let s = stem;
    for (let k = 2; this.stems.has(s); k++) s = `${stem}_${k}`;
    this.stems.add(s);
    return s;
  }

  async write(r: PredictResult, image: RgbImage): Promise<void> {
    const stem = this.uniqueStem(r.file);
    const o = this.options;
    // An empty label file says "looked, found nothing" (Ultralytics writes none).
    if (o.txt)
      await writeFile(join(this.dir, "labels", `${stem}.txt`), yoloLabelText(r, o.conf), { flag: "wx" });
    if (o.json) await this.jsonl!.write(jsonLine(r));
    if (o.img)
      await writeFile(join(this.dir, "images", `${stem}.png`), await drawDetections(image, r, o.styles), {
        flag: "wx",
      });
    this.images++;
    this.detections += r.detections.length;
  }

  async close(): Promise<void> {
    await this.jsonl?.close();
    this.jsonl = undefined;
  }
}
