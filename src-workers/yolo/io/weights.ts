/**
 * Our weights format: safetensors with float32 tensors under PyTorch's state-dict keys, and
 * metadata (validated with zod) in `__metadata__`: strings as they are, everything else as JSON
 * text (safetensors metadata values must be strings). `importUltralytics` turns a .pt into one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { DataError } from "../../core/errors.js";
import { packageRoot } from "../../core/package-root.js";
import { readUltralyticsCheckpoint } from "./pt-checkpoint.js";

export const WEIGHTS_FORMAT = "azaion-yolo";
export const WEIGHTS_FORMAT_VERSION = 1;

export const WeightsMetaSchema = z
  .object({
    format: z.literal(WEIGHTS_FORMAT),
    formatVersion: z.literal(WEIGHTS_FORMAT_VERSION),
    task: z.literal("detect"),
    scale: z.enum(["n", "s", "m", "l", "x"]),
    nc: z.number().int().positive(),
    names: z.array(z.string().min(1)),
    imgsz: z.number().int().positive(),
    strides: z.array(z.number().positive()).min(1),
    trainArgs: z.record(z.string(), z.json()),
    metrics: z.record(z.string(), z.json()),
    date: z.iso.datetime({ offset: true, local: true }),
    version: z.string().min(1),
    source: z.string().min(1),
  })
  .refine((m) => m.names.length === m.nc, {
    path: ["names"],
    message: "must name every class (as many names as nc)",
  });
export type WeightsMeta = z.infer<typeof WeightsMetaSchema>;

const isoDate = WeightsMetaSchema.shape.date;

/** Metadata fields stored as plain strings; the others are JSON text. */
const STRING_FIELDS = new Set(["format", "task", "scale", "date", "version", "source"]);
const FIELDS = Object.keys(WeightsMetaSchema.shape);

export interface Weights {
  /** float32 tensors, kept (outside every scope): dispose them. */
  readonly stateDict: Map<string, Tensor>;
  readonly meta: WeightsMeta;
}

/** The version in package.json: what wrote a weights file. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "0.0.0";
}

function validate(meta: unknown, file: string): WeightsMeta {
  const r = WeightsMetaSchema.safeParse(meta);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const [field, ...rest] = issue.path.map(String);
  const sub = rest.length ? ` (at ${rest.join(".")})` : "";
  throw new DataError(`metadata field '${field ?? "?"}'${sub}: ${issue.message}`, file);
}

/** The Detect head's class-logit biases (model.<i>.cv3.<level>.2.bias) must have nc entries. */
function checkHead(sd: ReadonlyMap<string, Tensor>, nc: number, file: string): void {
  for (const [k, t] of sd) {
    if (/\.cv3\.\d+\.2\.bias$/.test(k) && t.shape[0] !== nc)
      throw new DataError(`tensor '${k}' has ${t.shape[0]} classes, the metadata says nc ${nc}`, file);
  }
}

export function encodeMeta(meta: WeightsMeta): Record<string, string> {
  return Object.fromEntries(
    FIELDS.map((k) => {
      const v = meta[k as keyof WeightsMeta];
      return [k, typeof v === "string" ? v : JSON.stringify(v)];
    }),
  );
}

export function decodeMeta(raw: Readonly<Record<string, string>>, file: string): WeightsMeta {
  if (raw.format !== WEIGHTS_FORMAT)
    throw new DataError(
      `not an ${WEIGHTS_FORMAT} weights file (metadata field 'format' is ${JSON.stringify(raw.format ?? null)})`,
      file,
    );
  const out: Record<string, unknown> = {};
  for (const k of FIELDS) {
    const v = raw[k];
    if (v === undefined) throw new DataError(`metadata field '${k}' is missing`, file);
    if (STRING_FIELDS.has(k)) out[k] = v;
    else {
      try {
        out[k] = JSON.parse(v);
      } catch {
        throw new DataError(`metadata field '${k}' is not valid JSON: ${v.slice(0, 80)}`, file);
      }
    }
  }
  return validate(out, file);
}

/** Write weights: every tensor as float32, metadata validated first. */
export async function saveWeights(
  path: string,
  stateDict: ReadonlyMap<string, Tensor>,
  meta: WeightsMeta,
): Promise<void> {
  const m = validate(meta, path);
  checkHead(stateDict, m.nc, path);
  const converted: Tensor[] = [];
  const f32 = new Map<string, Tensor>();
  try {
    for (const [k, t] of stateDict) {
      if (t.dtype === "float32") f32.set(k, t);
      else {
        const c = torch.keep(torch.noGrad(() => t.to("float32")));
        converted.push(c);
        f32.set(k, c);
      }
    }
    await torch.saveSafetensors(path, f32, encodeMeta(m));
  } finally {
    for (const c of converted) c.dispose();
  }
}

/** Read weights; the metadata must validate and every tensor be float32. */
export async function loadWeights(path: string): Promise<Weights> {
  const f = await torch.openSafetensors(path);
  const stateDict = new Map<string, Tensor>();
  try {
    const meta = decodeMeta(f.metadata, path);
    for (const name of f.names) {
      const info = f.info(name);
      if (info.dtype !== "float32")
        throw new DataError(`tensor '${name}' is ${info.dtype}; weights files hold float32`, path);
    }
    for (const name of f.names) stateDict.set(name, torch.keep(await f.load(name)));
    checkHead(stateDict, meta.nc, path);
    return { stateDict, meta };
  } catch (err) {
    for (const t of stateDict.values()) t.dispose();
    throw err;
  } finally {
    await f.close();
  }
}

/** What an import made: the metadata written and the size of the model. */
export interface ImportResult {
  readonly out: string;
  readonly meta: WeightsMeta;
  readonly tensors: number;
  readonly parameters: number;
}

/** Convert an Ultralytics .pt (fp16) into our weights file (float32). */
export async function importUltralytics(ptPath: string, outPath: string): Promise<ImportResult> {
  const ck = readUltralyticsCheckpoint(ptPath);
  try {
    const task = ck.trainArgs.task ?? "detect";
    if (task !== "detect" || !ck.modelClass.endsWith(".DetectionModel"))
      throw new DataError(`${ck.modelClass} (task ${JSON.stringify(task)}) is not a detection model`, ptPath);
    if (ck.scale === null) throw new DataError("model.yaml has no scale (n, s, m, l or x)", ptPath);
    const names = Array.from({ length: ck.nc }, (_, i) => ck.names[i]);
    const missing = names.findIndex((n) => n === undefined);
    if (missing >= 0) throw new DataError(`model.names has no name for class ${missing}`, ptPath);
    const imgsz = ck.trainArgs.imgsz;
    const meta = validate(
      {
        format: WEIGHTS_FORMAT,
        formatVersion: WEIGHTS_FORMAT_VERSION,
        task: "detect",
        scale: ck.scale,
        nc: ck.nc,
        names,
        imgsz:
          typeof imgsz === "number" ? imgsz : Array.isArray(imgsz) ? Math.max(...imgsz.map(Number)) : 640,
        strides: ck.stride,
        trainArgs: ck.trainArgs,
        metrics: ck.trainMetrics,
        // The checkpoint's own date keeps the import reproducible; "now" only when it has none.
        date: ck.date !== null && isoDate.safeParse(ck.date).success ? ck.date : new Date().toISOString(),
        version: packageVersion(),
        source: `ultralytics ${ck.version ?? "(unknown version)"} .pt import`,
      },
      ptPath,
    );
    await saveWeights(outPath, ck.stateDict, meta);
    let parameters = 0;
    for (const k of ck.parameterKeys) parameters += ck.stateDict.get(k)?.numel ?? 0;
    return { out: outPath, meta, tensors: ck.stateDict.size, parameters };
  } finally {
    for (const t of ck.stateDict.values()) t.dispose();
  }
}

/** Buffers, not parameters: BatchNorm's running statistics (our files do not say which is which). */
export const isBufferKey = (key: string): boolean =>
  /\.(running_mean|running_var|num_batches_tracked)$/.test(key);

/** A weights file's metadata and tensor summary, without reading the tensors. */
export async function inspectWeights(
  path: string,
): Promise<{ meta: WeightsMeta; tensors: number; parameters: number; elements: number; dtypes: string[] }> {
  const f = await torch.openSafetensors(path);
  try {
    const meta = decodeMeta(f.metadata, path);
    let parameters = 0;
    let elements = 0;
    const dtypes = new Set<string>();
    for (const name of f.names) {
      const info = f.info(name);
      const n = info.shape.reduce((a, b) => a * b, 1);
      elements += n;
      if (!isBufferKey(name)) parameters += n;
      dtypes.add(info.dtype);
    }
    return { meta, tensors: f.names.length, parameters, elements, dtypes: [...dtypes] };
  } finally {
    await f.close();
  }
}
