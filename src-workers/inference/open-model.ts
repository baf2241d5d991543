/**
 * What `azaion infer` opens, and with which session options, for a model and a device:
 * - an .onnx on cpu or cuda (or tensorrt without the cache): the model, with provider fallback;
 * - an .onnx on tensorrt: ONNX Runtime's context model from the engine cache when there is one,
 *   else the model with the provider told to dump one into the cache (session config "ep.context_*");
 * - an .onnx on tensorrt with --half: an FP16 engine built by trtexec into the cache, opened through
 *   an EPContext wrapper (onnxruntime-node cannot switch the provider's FP16 on);
 * - a .engine (azaion export --format engine): its wrapper, written beside it, on TensorRT only.
 * An engine or a cached context model only runs on TensorRT: those never fall back to another provider.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { AzaionError, DataError, UsageError, errorMessage } from "../core/errors.js";
import { writeFileAtomic } from "../core/labels.js";
import { stemOf } from "../core/layout.js";
import { sha256OfFile } from "../platform/checksums.js";
import { readSidecar } from "../export/sidecar.js";
import { findTrtexec, trtexecArgv } from "../export/tensorrt.js";
import { runTool } from "../export/tools.js";
import type { InferenceEngine } from "./engine.js";
import { readModelInfo } from "./model-info.js";
import { isProviderError, type Device, type SessionRequest } from "./session.js";
import {
  cacheEntry,
  entryState,
  gpuName,
  isDeserialiseError,
  isStale,
  removeEntry,
  type CacheEntry,
  type TrtPrecision,
} from "./trt-cache.js";
import { modelIo, wrapperModel } from "./trt-wrapper.js";

export interface TrtOptions {
  /** The engine cache folder; null: no cache (--no-trt-cache). */
  readonly cache: string | null;
  /** Build an FP16 engine with trtexec (tensorrt only). */
  readonly half: boolean;
}

export interface ModelRequest {
  readonly model: string;
  readonly device: Device;
  readonly deviceId: number;
  readonly trt: TrtOptions;
  /** One line about what is being done (a build takes minutes) or where an engine came from. */
  readonly note: (text: string) => void;
}

/** Opens one session; the detector's (worker thread, threads per session). */
export type Opener = (req: SessionRequest) => Promise<InferenceEngine>;

export interface ModelPlan {
  /** The file whose metadata describes the model (an engine's wrapper carries the sidecar's). */
  readonly infoFile: string;
  open(count: number, threads: number, opener: Opener): Promise<InferenceEngine[]>;
}

export function isEngineFile(model: string): boolean {
  return extname(model).toLowerCase() === ".engine";
}

/** The folder for an engine's wrapper when its own folder cannot be written to. */
function fallbackRoot(trt: TrtOptions): string {
  return join(trt.cache ?? join(tmpdir(), "azaion-tensorrt"), "engines");
}

export async function planModel(r: ModelRequest): Promise<ModelPlan> {
  if (isEngineFile(r.model)) return planEngine(r);
  if (r.trt.half && r.device !== "tensorrt")
    throw new UsageError("--half builds a TensorRT FP16 engine: it needs --device tensorrt[:N]");
  if (r.device !== "tensorrt" || (r.trt.cache === null && !r.trt.half)) return plain(r);
  if (r.trt.cache === null)
    throw new UsageError("--half keeps its engine in the TensorRT cache: drop --no-trt-cache");
  const entry = await entryFor(r, r.trt.cache, r.trt.half ? "fp16" : "fp32");
  return r.trt.half ? planHalf(r, entry) : planCached(r, entry);
}

function plain(r: ModelRequest): ModelPlan {
  return {
    infoFile: r.model,
    open: (count, threads, opener) =>
      openPool(count, () => opener({ model: r.model, device: r.device, deviceId: r.deviceId, threads })),
  };
}

async function entryFor(r: ModelRequest, root: string, precision: TrtPrecision): Promise<CacheEntry> {
  const sha256 = await sha256OfFile(r.model).catch((err: NodeJS.ErrnoException) => {
    throw new DataError(`cannot read the model: ${err.code ?? err.message}`, r.model);
  });
  const parts = {
    sha256,
    precision,
    deviceId: r.deviceId,
    gpu: gpuName(r.deviceId),
    ort: ort.env.versions.node ?? "?",
  };
  const entry = cacheEntry(root, r.model, parts);
  const state = await entryState(entry);
  if (state === "broken") {
    r.note(`the TensorRT cache entry ${entry.dir} is incomplete; removed`);
    await removeEntry(entry);
  }
  await mkdir(entry.dir, { recursive: true });
  await writeFile(entry.about, `${JSON.stringify({ model: resolve(r.model), ...parts }, null, 2)}\n`);
  return entry;
}

/** The provider failed on a model that only TensorRT can run: say what is missing. */
function providerMissing(what: string, why: string, alternative: string): AzaionError {
  return new AzaionError(
    `${what}: the TensorRT execution provider is not available (${why}). It needs onnxruntime-node's CUDA and ` +
      "TensorRT provider libraries (npm install onnxruntime-node --onnxruntime-node-install=cuda12, or " +
      "libonnxruntime_providers_shared.so, _cuda.so and _tensorrt.so beside its binding), TensorRT's libraries " +
      `(libnvinfer) on the library path, and an NVIDIA GPU with its driver. ${alternative}`,
    "E_PROVIDER",
  );
}

/**
 * Opens a model only TensorRT runs (an engine's wrapper, a cached FP16 engine): no fallback, and the
 * provider not starting is said with what it needs and `alternative`.
 */
function trtOnlyOpener(
  opener: Opener,
  req: Pick<SessionRequest, "model" | "deviceId" | "threads">,
  what: string,
  alternative: string,
): () => Promise<InferenceEngine> {
  const full: SessionRequest = { ...req, device: "tensorrt", trtOnly: true };
  return () =>
    opener(full).catch((err: unknown) => {
      const why = reason(err);
      throw isProviderError(why) && !isDeserialiseError(why) ? providerMissing(what, why, alternative) : err;
    });
}

/** TensorRT refused the cached engine (another TensorRT or GPU built it): the entry is emptied for a new build. */
async function discardRefused(r: ModelRequest, e: CacheEntry, why: string): Promise<void> {
  r.note(`TensorRT refused the cached engine (${why}); removed ${e.dir}, building it again`);
  await removeEntry(e);
  await mkdir(e.dir, { recursive: true });
}

/** The first line of an error, without the "cannot open the model" the engine puts in front. */
function reason(err: unknown): string {
  const first = errorMessage(err).split("\n")[0] ?? "";
  return first.replace(/^.*?: cannot open the model: /, "");
}

// ---- .engine --------------------------------------------------------------------------------

async function planEngine(r: ModelRequest): Promise<ModelPlan> {
  if (r.device !== "tensorrt")
    throw new UsageError(
      `--device ${r.device}: a TensorRT engine runs on TensorRT only; pass the .onnx it was built from for ${r.device}`,
    );
  if (r.trt.half)
    throw new UsageError("--half is for an .onnx model: an engine from azaion export is FP16 already");
  const engine = resolve(r.model);
  const sidecarFile = `${engine}.json`;
  const side = await readSidecar(sidecarFile);
  if (side.format !== "engine")
    throw new DataError(`describes a ${side.format} model, not a TensorRT engine`, sidecarFile);
  const onnx = join(dirname(engine), side.onnx ?? `${stemOf(engine)}-engine.onnx`);
  if (!existsSync(onnx))
    throw new DataError(
      "the ONNX model the engine was built from is missing (its inputs and outputs describe the engine; " +
        "azaion export --format engine keeps it beside the engine)",
      onnx,
    );
  const wrapper = await engineWrapper(engine, [engine, sidecarFile, onnx], onnx, side.metadata, r.trt);
  const alternative = `Without them, run the ONNX model it was built from: azaion infer ${onnx} --device cpu (or cuda).`;
  return {
    infoFile: wrapper,
    open: (count, threads, opener) =>
      openPool(
        count,
        trtOnlyOpener(opener, { model: wrapper, deviceId: r.deviceId, threads }, engine, alternative),
      ),
  };
}

/** `<stem>.ctx.onnx` beside the engine, or in the cache with a link to the engine when that folder is read-only. */
async function engineWrapper(
  engine: string,
  sources: readonly string[],
  onnx: string,
  metadata: Readonly<Record<string, string>>,
  trt: TrtOptions,
): Promise<string> {
  let dir = dirname(engine);
  if (!writable(dir)) {
    const id = createHash("sha256").update(engine).digest("hex").slice(0, 12);
    dir = join(fallbackRoot(trt), `${stemOf(engine)}-${id}`);
    await mkdir(dir, { recursive: true });
    const link = join(dir, basename(engine));
    await rm(link, { force: true });
    // The provider reads the engine relative to the wrapper's folder only: a link puts it there.
    await symlink(engine, link);
  }
  const wrapper = join(dir, `${stemOf(engine)}.ctx.onnx`);
  if (isStale(wrapper, sources)) {
    const bytes = await readFile(onnx);
    let io;
    try {
      io = modelIo(bytes);
    } catch (err) {
      throw new DataError(`not an ONNX model (${errorMessage(err)})`, onnx);
    }
    await writeFileAtomic(wrapper, wrapperModel({ engineFile: basename(engine), ...io, metadata }));
  }
  return wrapper;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

// ---- .onnx on tensorrt: ONNX Runtime's engine cache (FP32) -----------------------------------

function planCached(r: ModelRequest, e: CacheEntry): ModelPlan {
  return {
    infoFile: r.model,
    open: async (count, threads, opener) => {
      const base = { model: r.model, device: r.device, deviceId: r.deviceId, threads };
      const fromCache = { ...base, model: e.ctx, trtOnly: true };
      let first: InferenceEngine | undefined;
      let providerDown = false;
      if ((await entryState(e)) === "ready") {
        try {
          first = await opener(fromCache);
          r.note(`TensorRT engine from the cache: ${e.dir}`);
        } catch (err) {
          const why = reason(err);
          if (isDeserialiseError(why)) await discardRefused(r, e, why);
          else if (isProviderError(why)) providerDown = true;
          else throw err;
        }
      }
      // The provider is missing: the model itself, falling back (and saying why); the cache is kept.
      if (first === undefined && providerDown) first = await opener(base);
      if (first === undefined) {
        r.note(
          `opening on TensorRT: a first run builds the engine (minutes for a large model) and caches it in ${e.dir}`,
        );
        first = await opener({
          ...base,
          trtConfig: {
            "ep.context_enable": "1",
            "ep.context_file_path": e.ctx,
            "ep.context_embed_mode": "0",
          },
        });
        if (first.description.device !== "tensorrt") await removeEntry(e);
        else if (existsSync(e.ctx)) r.note(`TensorRT engine built and cached: ${e.ctx}`);
        else r.note(`TensorRT wrote no context model at session start; the cache stays empty: ${e.dir}`);
      }
      const ready = first.description.device === "tensorrt" && (await entryState(e)) === "ready";
      return openRest(first, count, () => opener(ready ? fromCache : base));
    },
  };
}

// ---- .onnx on tensorrt --half: an FP16 engine from trtexec ------------------------------------

function planHalf(r: ModelRequest, e: CacheEntry): ModelPlan {
  const alternative = "Without --half, --device tensorrt falls back to cuda or cpu.";
  return {
    infoFile: r.model,
    open: async (count, threads, opener) => {
      const open = trtOnlyOpener(
        opener,
        { model: e.ctx, deviceId: r.deviceId, threads },
        r.model,
        alternative,
      );
      if ((await entryState(e)) === "ready") r.note(`TensorRT FP16 engine from the cache: ${e.engine}`);
      else await buildHalf(r, e);
      let first: InferenceEngine;
      try {
        first = await open();
      } catch (err) {
        const why = reason(err);
        if (!isDeserialiseError(why)) throw err;
        await discardRefused(r, e, why);
        await buildHalf(r, e);
        first = await open();
      }
      return openRest(first, count, open);
    },
  };
}

async function buildHalf(r: ModelRequest, e: CacheEntry): Promise<void> {
  const trtexec = findTrtexec();
  const info = await readModelInfo(r.model);
  const bytes = await readFile(r.model);
  const io = modelIo(bytes);
  const input = io.inputs[0];
  if (io.inputs.length !== 1 || input === undefined)
    throw new DataError(`expected one image input, got ${io.inputs.length}`, r.model);
  const [, , h, w] = input.shape;
  const size = typeof h === "number" ? h : info.imgsz?.[0];
  if (
    size === undefined ||
    (typeof w === "number" && w !== size) ||
    (info.imgsz && info.imgsz[0] !== info.imgsz[1])
  )
    throw new DataError("--half needs a square input size in the model or its metadata (imgsz)", r.model);
  const b0 = input.shape[0];
  const fixed = typeof b0 === "number" && b0 > 0 ? b0 : undefined;
  const batchMax = fixed ?? info.batchMax ?? 1;
  const batchMin = fixed ?? Math.min(info.batchMin ?? 1, batchMax);
  const partial = `${e.engine}.partial-${process.pid}`;
  const argv = trtexecArgv(trtexec, {
    onnx: resolve(r.model),
    engine: partial,
    input: input.name,
    imgsz: size,
    batchMin,
    batchOpt: batchMax,
    batchMax,
    precision: "fp16",
  });
  r.note(
    `building a TensorRT FP16 engine with trtexec (batch ${batchMin}-${batchMax}, ${size} px; this takes minutes) -> ${e.engine}`,
  );
  try {
    let lines = 0;
    await runTool(argv, () => {
      // A sign of life every 200 lines of trtexec's log: a build is quiet for minutes otherwise.
      if (++lines % 200 === 0) r.note(`trtexec: ${lines} log lines so far`);
    });
    await rename(partial, e.engine);
  } finally {
    await rm(partial, { force: true });
  }
  await writeFileAtomic(
    e.ctx,
    wrapperModel({ engineFile: basename(e.engine), ...io, metadata: info.metadata }),
  );
  r.note(`TensorRT FP16 engine built and cached: ${e.engine}`);
}

// ---- pools ----------------------------------------------------------------------------------

/** Opens `count` engines; when one fails, those opened are closed and its error is thrown. */
export async function openPool(
  count: number,
  open: () => Promise<InferenceEngine>,
): Promise<InferenceEngine[]> {
  const opened = await Promise.allSettled(Array.from({ length: count }, open));
  const failed = opened.find((r): r is PromiseRejectedResult => r.status === "rejected");
  const ok = opened.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  if (failed) {
    await Promise.all(ok.map((e) => e.close()));
    throw failed.reason;
  }
  return ok;
}

/** The engines after the first (which built or checked the cache), opened side by side. */
async function openRest(
  first: InferenceEngine,
  count: number,
  open: () => Promise<InferenceEngine>,
): Promise<InferenceEngine[]> {
  try {
    return [first, ...(count > 1 ? await openPool(count - 1, open) : [])];
  } catch (err) {
    await first.close();
    throw err;
  }
}
