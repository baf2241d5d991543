/**
 * Ultralytics checkpoints (.pt): the model's state dict, rebuilt by walking the pickled module
 * records (each module's `_parameters`, persistent `_buffers`, then `_modules`, as PyTorch's
 * state_dict()), plus what the checkpoint says about the model and its training. Nothing in the
 * pickle runs: see pickle.ts.
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { DataError } from "../../core/errors.js";
import { PyObject } from "./pickle.js";
import { TensorRef, openTorchArchive, toTensor } from "./torch-pickle.js";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export interface UltralyticsCheckpoint {
  readonly file: string;
  /** PyTorch's state_dict of the model (`ema` if saved, else `model`), stored dtypes. Kept tensors: dispose them. */
  readonly stateDict: Map<string, Tensor>;
  /** The keys of stateDict that are parameters (the rest are buffers). */
  readonly parameterKeys: ReadonlySet<string>;
  /** "ultralytics.nn.tasks.DetectionModel" */
  readonly modelClass: string;
  readonly names: Record<number, string>;
  readonly nc: number;
  /** model.yaml.scale ("n", "s", ...), null when the yaml has none. */
  readonly scale: string | null;
  readonly stride: number[];
  readonly yaml: JsonObject;
  readonly trainArgs: JsonObject;
  readonly date: string | null;
  readonly version: string | null;
  readonly epoch: number | null;
  readonly bestFitness: number | null;
  readonly trainMetrics: JsonObject;
}

/** Most values toJson converts: shared references in a crafted pickle could otherwise blow up exponentially. */
const JSON_BUDGET = 1_000_000;

/** Python data as plain JSON: dict keys become strings, tuples and sets arrays, objects and tensors labels. */
export function toJson(value: unknown): JsonValue {
  let budget = JSON_BUDGET;
  const conv = (v: unknown, depth: number): JsonValue => {
    if (depth > 64 || --budget < 0) return "(too large)";
    if (v === null || v === undefined || typeof v === "boolean" || typeof v === "string") return v ?? null;
    if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
    if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
    if (Array.isArray(v) || v instanceof Set)
      return [...(v as Iterable<unknown>)].map((x) => conv(x, depth + 1));
    if (v instanceof Map) {
      const o: JsonObject = {};
      for (const [k, x] of v as Map<unknown, unknown>)
        o[typeof k === "string" ? k : JSON.stringify(conv(k, depth + 1))] = conv(x, depth + 1);
      return o;
    }
    if (v instanceof TensorRef) return `tensor(${v.dtype}[${v.size.join(", ")}])`;
    if (v instanceof PyObject) return `<${v.__class__}>`;
    return `<${v.constructor.name}>`;
  };
  return conv(value, 0);
}

const asObject = (v: unknown): JsonObject => {
  const j = toJson(v);
  return j !== null && typeof j === "object" && !Array.isArray(j) ? j : {};
};

function mapOf(rec: PyObject, name: string, file: string, where: string): Map<unknown, unknown> {
  const m = rec.attr(name);
  if (m === undefined || m === null) return new Map();
  if (!(m instanceof Map)) throw new DataError(`${where}: ${name} of ${rec.__class__} is not a dict`, file);
  return m as Map<unknown, unknown>;
}

/** (key, TensorRef, isParameter) of a module record and its children, in state_dict order. */
function walk(
  rec: PyObject,
  prefix: string,
  file: string,
  out: [string, TensorRef, boolean][],
  depth = 0,
  seen = { modules: 0 },
): void {
  const where = prefix === "" ? "model" : `model '${prefix.slice(0, -1)}'`;
  // Shared or cyclic records in a crafted file would make this walk endless.
  if (depth > 100 || ++seen.modules > 100_000)
    throw new DataError(`${where}: modules nested too deep or too many`, file);
  const tensors = (name: string, param: boolean, skip: Set<unknown>) => {
    for (const [k, t] of mapOf(rec, name, file, where)) {
      if (t === null || skip.has(k)) continue;
      if (!(t instanceof TensorRef))
        throw new DataError(`${where}: ${name}['${String(k)}'] is not a tensor`, file);
      out.push([`${prefix}${String(k)}`, t, param]);
    }
  };
  tensors("_parameters", true, new Set());
  const np = rec.attr("_non_persistent_buffers_set");
  tensors("_buffers", false, np instanceof Set ? (np as Set<unknown>) : new Set());
  for (const [k, child] of mapOf(rec, "_modules", file, where)) {
    if (child === null) continue;
    if (!(child instanceof PyObject))
      throw new DataError(`${where}: _modules['${String(k)}'] is not a module record`, file);
    walk(child, `${prefix}${String(k)}.`, file, out, depth + 1, seen);
  }
}

function namesOf(v: unknown, file: string): Record<number, string> {
  const names: Record<number, string> = {};
  const entries: [unknown, unknown][] =
    v instanceof Map ? [...(v as Map<unknown, unknown>)] : Array.isArray(v) ? v.map((n, i) => [i, n]) : [];
  for (const [k, n] of entries) {
    const i = typeof k === "string" ? Number(k) : k;
    if (!Number.isSafeInteger(i) || typeof n !== "string")
      throw new DataError(`model.names has a bad entry ${String(k)}: ${String(n)}`, file);
    names[i as number] = n;
  }
  return names;
}

const numOrNull = (v: unknown): number | null => (typeof v === "number" ? v : null);
const strOrNull = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** Read an Ultralytics .pt checkpoint (torch.save zip). Errors name the file. */
export function readUltralyticsCheckpoint(path: string): UltralyticsCheckpoint {
  const archive = openTorchArchive(path);
  try {
    const root = archive.root;
    if (!(root instanceof Map)) throw new DataError("the checkpoint is not a dict", path);
    const ck = root as Map<unknown, unknown>;
    // As Ultralytics' loader: the EMA weights when saved, else the model.
    const model = ck.get("ema") ?? ck.get("model");
    if (!(model instanceof PyObject))
      throw new DataError(
        `no model in the checkpoint (keys: ${[...ck.keys()].map(String).join(", ")})`,
        path,
      );
    const refs: [string, TensorRef, boolean][] = [];
    walk(model, "", path, refs);
    if (refs.length === 0) throw new DataError(`${model.__class__} has no parameters`, path);
    const stateDict = new Map<string, Tensor>();
    try {
      for (const [k, ref] of refs) stateDict.set(k, torch.keep(toTensor(ref, path)));
    } catch (err) {
      for (const t of stateDict.values()) t.dispose();
      throw err;
    }
    const yaml = asObject(model.attr("yaml"));
    const names = namesOf(model.attr("names"), path);
    const strideRef = model.attr("stride");
    let stride: number[] = [];
    if (strideRef instanceof TensorRef) {
      const t = toTensor(strideRef, path);
      stride = t.toNumbers();
      t.dispose();
    } else if (Array.isArray(strideRef)) stride = strideRef.filter((x): x is number => typeof x === "number");
    const nc = numOrNull(model.attr("nc")) ?? numOrNull(yaml.nc) ?? Object.keys(names).length;
    const args = ck.get("train_args") ?? model.attr("args");
    return {
      file: path,
      stateDict,
      parameterKeys: new Set(refs.filter(([, , p]) => p).map(([k]) => k)),
      modelClass: model.__class__,
      names,
      nc,
      scale: strOrNull(yaml.scale),
      stride,
      yaml,
      trainArgs: asObject(args),
      date: strOrNull(ck.get("date")),
      version: strOrNull(ck.get("version")),
      epoch: numOrNull(ck.get("epoch")),
      bestFitness: numOrNull(ck.get("best_fitness")),
      trainMetrics: asObject(ck.get("train_metrics")),
    };
  } finally {
    archive.close();
  }
}
