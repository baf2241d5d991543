/**
 * What an .onnx detector says about itself in its metadata_props: class names, input size, stride,
 * batch range, output layout and baked-in NMS settings. Reads our exporter's JSON values and the
 * Python-repr values Ultralytics writes ({0: 'person', ...}), so models exported by either run.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { DataError } from "../core/errors.js";
import { decodeModel } from "../export/onnx/schema.js";

export interface ModelInfo {
  readonly file: string;
  /** Class names by id; empty when the model does not record them. */
  readonly names: readonly string[];
  /** [height, width] the model was exported at, when recorded. */
  readonly imgsz: readonly [number, number] | undefined;
  readonly stride: number;
  readonly batchMin: number | undefined;
  readonly batchMax: number | undefined;
  /** "raw": (B, 4+nc, N); "nms": (B, max_det, 6); undefined: decide from the output shape. */
  readonly output: "raw" | "nms" | undefined;
  /** The NMS baked into an "nms" model. */
  readonly nms: { readonly conf: number; readonly iou: number; readonly maxDet: number } | undefined;
  readonly task: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

const intText = z.string().regex(/^\d+$/).transform(Number);

export async function readModelInfo(file: string): Promise<ModelInfo> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new DataError(
      `cannot read the model: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      file,
    );
  }
  let md: Readonly<Record<string, string>>;
  try {
    md = decodeModel(bytes).metadata;
  } catch (err) {
    throw new DataError(`not an ONNX model (${(err as Error).message})`, file);
  }
  const field = <T>(key: string, parse: (v: string) => T): T | undefined => {
    const v = md[key];
    if (v === undefined) return undefined;
    try {
      return parse(v);
    } catch (err) {
      throw new DataError(`metadata ${key}: ${(err as Error).message}: ${v.slice(0, 120)}`, file);
    }
  };
  const names = field("names", parseNames) ?? [];
  const imgsz = field("imgsz", parseImgsz);
  const stride = field("stride", (v) => intText.parse(v)) ?? 32;
  const batchMin = field("batch_min", (v) => intText.parse(v));
  const batchMax = field("batch_max", (v) => intText.parse(v)) ?? field("batch", (v) => intText.parse(v));
  const output = field("output", (v) => z.enum(["raw", "nms"]).parse(v));
  const nms = field("nms", (v) =>
    z
      .object({
        conf: z.number().min(0).max(1),
        iou: z.number().min(0).max(1),
        max_det: z.number().int().positive(),
      })
      .transform((n) => ({ conf: n.conf, iou: n.iou, maxDet: n.max_det }))
      .parse(JSON.parse(v)),
  );
  return { file, names, imgsz, stride, batchMin, batchMax, output, nms, task: md.task, metadata: md };
}

/** {"0": "a", "1": "b"} (JSON) or {0: 'a', 1: 'b'} (Python repr) or ["a", "b"]: names in id order. */
export function parseNames(text: string): string[] {
  let byId: Record<string, unknown>;
  try {
    const j: unknown = JSON.parse(text);
    byId = Array.isArray(j)
      ? Object.fromEntries(j.map((n, i) => [String(i), n]))
      : (j as Record<string, unknown>);
  } catch {
    byId = {};
    const entry = /(\d+)\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g;
    for (const m of text.matchAll(entry)) byId[m[1]!] = (m[2] ?? m[3] ?? "").replace(/\\(.)/g, "$1");
    if (Object.keys(byId).length === 0) throw new Error("not a mapping of class ids to names");
  }
  const ids = Object.keys(byId).map(Number);
  if (ids.some((i) => !Number.isInteger(i) || i < 0)) throw new Error("class ids must be whole numbers");
  const nc = Math.max(...ids) + 1;
  return Array.from({ length: nc }, (_, i) => {
    const n = byId[String(i)];
    return typeof n === "string" ? n : String(i);
  });
}

/** [h, w] or a single size. */
export function parseImgsz(text: string): [number, number] {
  const v: unknown = JSON.parse(text);
  const pair = typeof v === "number" ? [v, v] : v;
  return z.tuple([z.number().int().positive(), z.number().int().positive()]).parse(pair);
}
