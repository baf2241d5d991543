/** The metadata JSON beside an engine or RKNN file (those formats have no room for ours inside). */
import { readFile, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { z } from "zod";
import { DataError } from "../core/errors.js";
import { zodIssuesToText } from "../core/zod-text.js";

export interface Sidecar {
  readonly format: "engine" | "rknn";
  readonly file: string;
  /** The ONNX model the converter read (kept beside the output). */
  readonly onnx?: string;
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
  const names = { file: basename(s.file), ...(s.onnx === undefined ? {} : { onnx: basename(s.onnx) }) };
  await writeFile(path, `${JSON.stringify({ ...s, ...names }, null, 2)}\n`);
}

/** What a reader of the sidecar relies on; other fields are kept for people. */
const sidecarSchema = z.object({
  format: z.enum(["engine", "rknn"]),
  file: z.string().min(1),
  onnx: z.string().min(1).optional(),
  precision: z.string(),
  metadata: z.record(z.string(), z.string()),
});
export type SidecarInfo = z.infer<typeof sidecarSchema>;

export async function readSidecar(path: string): Promise<SidecarInfo> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(
      code === "ENOENT"
        ? "the engine's metadata sidecar is missing (azaion export --format engine writes it beside the engine)"
        : `cannot read the engine's metadata sidecar: ${code ?? (err as Error).message}`,
      path,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new DataError(`not JSON (${(err as Error).message})`, path);
  }
  const r = sidecarSchema.safeParse(raw);
  if (!r.success) throw new DataError(`not an export sidecar: ${zodIssuesToText(r.error).text}`, path);
  return r.data;
}
