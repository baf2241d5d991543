/**
 * Inference on image files: decode a batch (sharp, on libuv's threads) while the previous one runs,
 * a JSON line per image, a per-class summary, and optionally each image drawn with its boxes.
 * An image that cannot be decoded is reported by name and skipped; the others go on.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeRgb, type RgbImage } from "../core/image-decode.js";
import { stemOf } from "../core/layout.js";
import type { ClassStyle } from "../yolo/predict/styles.js";
import { drawDetections } from "../yolo/predict/writers.js";
import type { OnnxDetector } from "./detector.js";
import type { RunOutputs } from "./outputs.js";
import { ImageSummary } from "./summary.js";
import type { ImageResult } from "./types.js";

export interface ImageRunOptions {
  readonly conf: number;
  readonly iou: number;
  readonly maxDet: number;
  readonly agnostic: boolean;
  /** Write images/<stem>.png with the boxes drawn. */
  readonly saveImg: boolean;
  readonly styles: readonly ClassStyle[];
  /** A file that could not be read (the run goes on). */
  readonly onFailure: (file: string, error: string) => void;
  readonly onImage?: () => void;
}

export interface ImageRunStats {
  readonly images: number;
  readonly failed: number;
  readonly detections: number;
  readonly summaryCsv: string;
}

type Decoded = { file: string; image: RgbImage } | { file: string; error: string };

function decodeAll(files: readonly string[]): Promise<Decoded[]> {
  return Promise.all(
    files.map((file) =>
      decodeRgb(file).then(
        (image) => ({ file, image }),
        (err: Error) => ({ file, error: `cannot decode the image: ${firstLine(err.message)}` }),
      ),
    ),
  );
}

export async function inferImages(
  detector: OnnxDetector,
  files: readonly string[],
  out: RunOutputs,
  o: ImageRunOptions,
): Promise<ImageRunStats> {
  const summary = new ImageSummary();
  const stems = new Set<string>();
  if (o.saveImg) await mkdir(join(out.dir, "images"), { recursive: true });
  let failed = 0;
  const chunks: string[][] = [];
  for (let i = 0; i < files.length; i += detector.batch) chunks.push(files.slice(i, i + detector.batch));
  let next = chunks.length > 0 ? decodeAll(chunks[0]!) : undefined;
  for (let c = 0; c < chunks.length; c++) {
    const decoded = await next!;
    // Decoding the next chunk overlaps this chunk's inference.
    next = c + 1 < chunks.length ? decodeAll(chunks[c + 1]!) : undefined;
    next?.catch(() => undefined);
    const ok = decoded.filter((d): d is { file: string; image: RgbImage } => "image" in d);
    const slot = detector.slot();
    for (const d of ok) detector.add(slot, d.image);
    const boxes = await detector.detect(slot, {
      conf: o.conf,
      iou: o.iou,
      maxDet: o.maxDet,
      agnostic: o.agnostic,
    });
    let k = 0;
    for (const d of decoded) {
      if ("error" in d) {
        failed++;
        o.onFailure(d.file, d.error);
        o.onImage?.();
        continue;
      }
      const { width, height } = d.image;
      const result: ImageResult = {
        file: d.file,
        width,
        height,
        detections: boxes[k++]!.map((b) => ({ ...b, name: detector.nameOf(b.cls), track: null })),
      };
      await out.write(result);
      summary.add(result);
      if (o.saveImg) {
        const stem = unique(stems, stemOf(d.file));
        await writeFile(
          join(out.dir, "images", `${stem}.png`),
          await drawDetections(d.image, result, o.styles),
          {
            flag: "wx",
          },
        );
      }
      o.onImage?.();
    }
  }
  return { images: summary.images, failed, detections: out.detections, summaryCsv: summary.csv() };
}

function unique(stems: Set<string>, stem: string): string {
  let s = stem;
  for (let k = 2; stems.has(s); k++) s = `${stem}_${k}`;
  stems.add(s);
  return s;
}

function firstLine(s: string): string {
  return (s.split("\n").find((l) => l.trim() !== "") ?? "unknown error").trim();
}
