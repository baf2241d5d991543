/** The metadata JSON beside an engine or RKNN file (those formats have no room for ours inside). */
import { writeFile } from "node:fs/promises";
import { basename } from "node:path";

export interface Sidecar {
  readonly format: "engine" | "rknn";
  readonly file: string;
  readonly bytes: number;
  readonly precision: string;
  readonly created: string;
  /** The ONNX model's metadata_props (names, strides, imgsz, batch range, output layout, NMS...). */
  readonly metadata: Readonly<Record<string, string>>;
  /** The converter command lines that were run. */
  readonly commands: readonly string[];
  readonly converter: Readonly<Record<string, string>>;
  readonly calibration?: { source: string; images: number; skipped: readonly string[] };
  readonly notes?: readonly string[];
}

export async function writeSidecar(path: string, s: Sidecar): Promise<void> {
  await writeFile(path, `${JSON.stringify({ ...s, file: basename(s.file) }, null, 2)}\n`);
}
