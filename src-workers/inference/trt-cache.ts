/**
 * The TensorRT engine cache of `azaion infer --device tensorrt`: one folder per model, precision and
 * machine. An engine only runs on the GPU model and TensorRT version that built it, so the key holds
 * the model's content hash, the precision, the device id, the GPU's name (when nvidia-smi answers)
 * and the onnxruntime-node version (which fixes the TensorRT it was built against).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { stemOf } from "../core/layout.js";
import { wrappedEngine } from "./trt-wrapper.js";

export type TrtPrecision = "fp32" | "fp16";

export interface CacheKeyParts {
  /** SHA-256 of the model file, hex. */
  readonly sha256: string;
  readonly precision: TrtPrecision;
  readonly deviceId: number;
  /** The GPU's name; undefined when nvidia-smi is not there. */
  readonly gpu: string | undefined;
  readonly ort: string;
}

/** `<sha 16 hex>-<precision>-dev<N>-<8 hex of GPU and runtime>`: readable where it can be. */
export function cacheKey(k: CacheKeyParts): string {
  const machine = createHash("sha256")
    .update(JSON.stringify([k.gpu ?? "", k.ort]))
    .digest("hex")
    .slice(0, 8);
  return `${k.sha256.slice(0, 16)}-${k.precision}-dev${k.deviceId}-${machine}`;
}

export interface CacheEntry {
  readonly dir: string;
  /** The model to open: ONNX Runtime's context model (fp32) or our wrapper (fp16). */
  readonly ctx: string;
  /** fp16: the engine trtexec writes (fp32: ONNX Runtime names its own beside ctx). */
  readonly engine: string;
  /** What the key was made of, for people reading the cache. */
  readonly about: string;
}

export function cacheEntry(root: string, model: string, k: CacheKeyParts): CacheEntry {
  const dir = join(root, `${stemOf(model)}-${cacheKey(k)}`);
  return {
    dir,
    ctx: join(dir, k.precision === "fp16" ? "model.ctx.onnx" : "model_ctx.onnx"),
    engine: join(dir, "model.engine"),
    about: join(dir, "entry.json"),
  };
}

export type EntryState = "missing" | "ready" | "broken";

/** Ready: the context model is there and so is the engine file it names. */
export async function entryState(e: CacheEntry): Promise<EntryState> {
  if (!existsSync(e.ctx)) return "missing";
  let ref: string | undefined;
  try {
    ref = wrappedEngine(await readFile(e.ctx));
  } catch {
    return "broken";
  }
  // Embedded engines (embed_mode 1) name no file.
  if (ref === undefined) return "ready";
  return existsSync(join(e.dir, ref)) ? "ready" : "broken";
}

export async function removeEntry(e: CacheEntry): Promise<void> {
  await rm(e.dir, { recursive: true, force: true });
}

/**
 * TensorRT refusing a cached engine: built by another TensorRT version or for another GPU. The
 * words come from the TensorRT provider's and TensorRT's own messages.
 */
export function isDeserialiseError(message: string): boolean {
  return /deseriali[sz]|serializ\w* (?:assertion|version)|version tag|plan file|magic tag|incompatible (?:engine|device)/i.test(
    message,
  );
}

/** Whether `target` is missing or older than any of `sources`. */
export function isStale(target: string, sources: readonly string[]): boolean {
  if (!existsSync(target)) return true;
  const t = statSync(target).mtimeMs;
  return sources.some((s) => existsSync(s) && statSync(s).mtimeMs > t);
}

/** The GPU's name from nvidia-smi, or undefined when it is not installed or does not answer. */
export function gpuName(deviceId: number, nvidiaSmi = "nvidia-smi"): string | undefined {
  const r = spawnSync(nvidiaSmi, ["--query-gpu=name", "--format=csv,noheader", "-i", String(deviceId)], {
    encoding: "utf8",
    timeout: 10_000,
  });
  if (r.error || r.status !== 0) return undefined;
  const name = r.stdout.trim().split("\n")[0]?.trim();
  return name === undefined || name === "" ? undefined : name;
}
