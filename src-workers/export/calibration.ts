/**
 * Calibration images for INT8 (TensorRT and RKNN), drawn from a dataset: a data.yaml (its train split)
 * or an images folder. `count` images evenly spread over the sorted list (deterministic), each
 * letterboxed to imgsz x imgsz exactly as the predictor feeds the model (aspect kept, OpenCV-style
 * bilinear resize, centred, padded with grey 114), kept as 8-bit RGB. Images that do not decode are
 * reported and skipped; the run needs at least one good image.
 */
import { open } from "node:fs/promises";
import { extname, join } from "node:path";
import sharp from "sharp";
import { decodeRgb } from "../core/image-decode.js";
import { AzaionError } from "../core/errors.js";
import { formatProblem } from "../core/problems.js";
import { loadDataset } from "../yolo/data/dataset.js";
import { letterboxGeometry } from "../yolo/predict/letterbox.js";
import { PAD_VALUE } from "../yolo/predict/image.js";
import { resizeLinear } from "../yolo/predict/resize.js";

export interface CalibrationSource {
  /** A data.yaml (its train split is used) or a folder of images (or with images/ inside). */
  readonly data: string;
  readonly count: number;
}

export interface CalibrationFiles {
  readonly files: string[];
  /** Images the dataset check left out (unreadable header, bad label line), formatted. */
  readonly leftOut: string[];
}

/** Image files to calibrate on: `count` spread evenly over the dataset's sorted images. */
export async function calibrationFiles(src: CalibrationSource): Promise<CalibrationFiles> {
  const isYaml = [".yaml", ".yml"].includes(extname(src.data).toLowerCase());
  const ds = await loadDataset(isYaml ? { dataYaml: src.data, split: "train" } : { images: src.data });
  const all = ds.items.map((i) => i.file);
  const leftOut = ds.problems.filter((p) => p.severity === "error").map(formatProblem);
  if (all.length === 0)
    throw new AzaionError(
      `${src.data}: no usable images for calibration${leftOut.length ? ` (${leftOut[0]})` : ""}`,
      "E_DATA",
    );
  const files =
    all.length <= src.count
      ? all
      : Array.from({ length: src.count }, (_, k) => all[Math.floor((k * all.length) / src.count)]!);
  return { files, leftOut };
}

/** One image letterboxed to size x size: 8-bit RGB, interleaved (HWC). */
export async function letterboxRgb(file: string, size: number): Promise<Uint8Array> {
  const img = await decodeRgb(file);
  const g = letterboxGeometry(img.width, img.height, { newShape: size, auto: false });
  const resized = resizeLinear(img.data, img.width, img.height, g.resizedWidth, g.resizedHeight, 3);
  const out = new Uint8Array(size * size * 3).fill(PAD_VALUE);
  for (let y = 0; y < g.resizedHeight; y++)
    out.set(
      resized.subarray(y * g.resizedWidth * 3, (y + 1) * g.resizedWidth * 3),
      ((y + g.top) * size + g.left) * 3,
    );
  return out;
}

export interface CalibrationResult {
  readonly written: number;
  readonly skipped: readonly { file: string; error: string }[];
}

type Tick = () => void;

async function eachImage(
  files: readonly string[],
  size: number,
  use: (rgb: Uint8Array, i: number, file: string) => Promise<void>,
  tick: Tick,
): Promise<CalibrationResult> {
  const skipped: { file: string; error: string }[] = [];
  let written = 0;
  for (const file of files) {
    let rgb: Uint8Array | null = null;
    try {
      rgb = await letterboxRgb(file, size);
    } catch (err) {
      skipped.push({ file, error: (err as Error).message.split("\n")[0] ?? "cannot decode" });
    }
    if (rgb) await use(rgb, written++, file);
    tick();
  }
  if (written === 0) throw new AzaionError("no calibration image could be decoded", "E_DATA");
  return { written, skipped };
}

/**
 * TensorRT: one raw file of uint8 RGB planes (count, 3, size, size), C order; the calibrator divides
 * by 255 to get the model's float input. Written one image at a time, so memory stays small.
 */
export async function writeCalibrationTensor(
  files: readonly string[],
  size: number,
  out: string,
  tick: Tick = () => undefined,
): Promise<CalibrationResult> {
  const fh = await open(out, "w");
  try {
    const plane = size * size;
    const chw = new Uint8Array(3 * plane);
    return await eachImage(
      files,
      size,
      async (rgb) => {
        for (let p = 0; p < plane; p++) {
          chw[p] = rgb[3 * p]!;
          chw[plane + p] = rgb[3 * p + 1]!;
          chw[2 * plane + p] = rgb[3 * p + 2]!;
        }
        await fh.write(chw);
      },
      tick,
    );
  } finally {
    await fh.close();
  }
}

/**
 * RKNN: letterboxed PNGs (lossless, already model-sized, so rknn-toolkit2 does no resizing of its own)
 * in `dir`, and dataset.txt listing their absolute paths, one per line.
 */
export async function writeCalibrationList(
  files: readonly string[],
  size: number,
  dir: string,
  tick: Tick = () => undefined,
): Promise<CalibrationResult & { list: string; images: string[] }> {
  const images: string[] = [];
  const r = await eachImage(
    files,
    size,
    async (rgb, i) => {
      const png = join(dir, `calib_${String(i).padStart(4, "0")}.png`);
      await sharp(rgb, { raw: { width: size, height: size, channels: 3 } })
        .png()
        .toFile(png);
      images.push(png);
    },
    tick,
  );
  const list = join(dir, "dataset.txt");
  const fh = await open(list, "w");
  try {
    await fh.write(images.map((p) => `${p}\n`).join(""));
  } finally {
    await fh.close();
  }
  return { ...r, list, images };
}
