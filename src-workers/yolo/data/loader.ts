/**
 * A BatchSource over a Dataset: per-epoch seeded shuffling, augmentation fixed by (seed, epoch,
 * index), mosaic off for the last closeMosaic epochs, and `prefetch` batches prepared ahead on a
 * worker_threads pool while the caller trains (workers=0: on this thread, sharp still decoding off
 * it). Tensors are made only when a batch is handed out, so a caller stopping early leaks none.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { packageRoot } from "../../core/package-root.js";
import { Rng } from "../../data/synth/prng.js";
import * as torch from "../../torch/index.js";
import type { Dataset } from "./dataset.js";
import { Pipeline, type BatchData, type BatchJob, type PipelineConfig } from "./pipeline.js";
import { DEFAULT_AUGMENT, type AugmentConfig } from "./sample.js";
import type { Batch, BatchSource } from "./types.js";
import type { WorkerInit, WorkerRequest } from "./worker.js";

export interface LoaderOptions {
  readonly imgsz: number;
  readonly batch: number;
  /** Training: shuffle and augment. Otherwise validation order and square letterbox. */
  readonly train: boolean;
  readonly seed?: number;
  /** Total epochs and close_mosaic (Ultralytics: mosaic off from epoch epochs - closeMosaic). */
  readonly epochs?: number;
  readonly closeMosaic?: number;
  readonly hyp?: Partial<AugmentConfig>;
  /** Worker threads (0: this thread); at most the cores and the batch size. */
  readonly workers?: number;
  /** Batches prepared ahead (2-4 sensible). */
  readonly prefetch?: number;
  /** Keep loaded images in RAM (per worker thread). */
  readonly cache?: boolean;
  /**
   * Data-parallel training: this process's shard of every epoch, as torch's DistributedSampler. The
   * epoch's shuffled order (the same seed on every rank) is padded with its first indices to a multiple
   * of worldSize and rank takes every worldSize-th index from rank on; `batch` is then the per-rank batch.
   * Batch k of all ranks together holds the images of batch k of one process with batch * worldSize.
   */
  readonly rank?: number;
  readonly worldSize?: number;
}

/** The rank's share of an epoch's order: padded to a multiple of world, then every world-th from rank. */
export function shardOrder(order: readonly number[], rank: number, world: number): number[] {
  if (world === 1 || order.length === 0) return [...order];
  const total = Math.ceil(order.length / world) * world;
  const padded = [...order];
  while (padded.length < total) padded.push(...order.slice(0, total - padded.length));
  const out: number[] = [];
  for (let i = rank; i < total; i += world) out.push(padded[i]!);
  return out;
}

export interface Loader extends BatchSource {
  /** Worker threads actually running (0 when asked for none or the compiled worker is missing). */
  readonly workers: number;
  /** Whether an epoch uses mosaic. */
  mosaicAt(epoch: number): boolean;
}

type Reply = { id: number; data: BatchData } | { id: number; error: string };

/** The compiled worker: beside this module in dist/, or dist/ of the package when run from sources. */
function workerFile(): string | undefined {
  const here = fileURLToPath(new URL("./worker.js", import.meta.url));
  if (existsSync(here)) return here;
  const built = join(packageRoot(), "dist", "src-workers", "yolo", "data", "worker.js");
  return existsSync(built) ? built : undefined;
}

export function createLoader(ds: Dataset, o: LoaderOptions): Loader {
  const cfg: PipelineConfig = {
    imgsz: o.imgsz,
    augment: o.train,
    hyp: { ...DEFAULT_AUGMENT, ...o.hyp },
    seed: o.seed ?? 0,
    cache: o.cache ?? false,
  };
  const items = ds.items;
  const world = o.worldSize ?? 1;
  const rank = o.rank ?? 0;
  if (!Number.isInteger(world) || world < 1 || !Number.isInteger(rank) || rank < 0 || rank >= world)
    throw new RangeError(`loader: rank ${rank} of world size ${world}: expected 0 <= rank < world size`);
  const shardSize = Math.ceil(items.length / world);
  // As Ultralytics' build_dataloader: no more threads than cores or images a batch; more would only take
  // cores from the training step (libtorch's threads) without loading any faster.
  const threads = Math.min(o.workers ?? 0, availableParallelism(), o.batch > 1 ? o.batch : 0);
  const file = threads > 0 ? workerFile() : undefined;
  const run = file ? workerRunner(file, threads, { items, cfg }) : localRunner(new Pipeline(items, cfg));
  const prefetch = Math.max(1, o.prefetch ?? 3);
  const epochs = o.epochs ?? Infinity;
  const closeMosaic = o.closeMosaic ?? 10;
  const mosaicAt = (e: number): boolean => o.train && cfg.hyp.mosaic > 0 && e < epochs - closeMosaic;

  const order = (epoch: number): number[] => {
    const idx = items.map((_, i) => i);
    if (!o.train) return idx;
    const rng = Rng.of(cfg.seed, 0x5f5f5f5f, epoch);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx;
  };

  async function* epoch(e: number): AsyncGenerator<Batch> {
    const idx = shardOrder(order(e), rank, world);
    const jobs: BatchJob[] = [];
    for (let i = 0; i < idx.length; i += o.batch)
      jobs.push({ epoch: e, indices: idx.slice(i, i + o.batch), mosaic: mosaicAt(e) });
    const ahead: Promise<BatchData>[] = [];
    let next = 0;
    const fill = (): void => {
      while (ahead.length < prefetch && next < jobs.length) {
        const p = run.batch(jobs[next++]!);
        p.catch(() => undefined); // awaited in order below; keeps an early failure from going unhandled
        ahead.push(p);
      }
    };
    fill();
    while (ahead.length > 0) {
      const data = await ahead.shift()!;
      fill();
      yield toBatch(data, o.imgsz);
    }
  }

  return {
    size: items.length,
    batchesPerEpoch: Math.ceil(shardSize / o.batch),
    workers: run.threads,
    mosaicAt,
    epoch,
    close: () => run.close(),
  };
}

function toBatch(d: BatchData, S: number): Batch {
  const images = torch.tensor(d.images, [d.count, 3, S, S], { dtype: "float32" });
  const targets = torch.tensor(d.targets, [d.targets.length / 6, 6], { dtype: "float32" });
  return { images, targets, files: d.files, shapes: d.shapes };
}

interface Runner {
  readonly threads: number;
  batch(job: BatchJob): Promise<BatchData>;
  close(): Promise<void>;
}

function localRunner(p: Pipeline): Runner {
  return {
    threads: 0,
    batch: (job) => p.batch(job),
    close: () => {
      p.clear();
      return Promise.resolve();
    },
  };
}

function workerRunner(file: string, threads: number, init: WorkerInit): Runner {
  const pending = new Map<number, { resolve: (d: BatchData) => void; reject: (e: Error) => void }>();
  const fail = (err: Error): void => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const workers = Array.from({ length: threads }, (_, w) => {
    const worker = new Worker(file, { workerData: init });
    worker.on("message", (r: Reply) => {
      const p = pending.get(r.id);
      if (!p) return;
      pending.delete(r.id);
      if ("error" in r) p.reject(new Error(r.error));
      else p.resolve(r.data);
    });
    worker.on("error", fail);
    worker.on(
      "exit",
      (code) => code !== 0 && fail(new Error(`yolo data worker ${w} exited with code ${code}`)),
    );
    return worker;
  });
  let nextId = 0;
  let closed = false;
  return {
    threads,
    batch(job) {
      if (closed) return Promise.reject(new Error("loader is closed"));
      const id = nextId++;
      // Round-robin: batches cost about the same, and in-order consumption keeps every worker busy.
      const worker = workers[id % threads]!;
      return new Promise<BatchData>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, job } satisfies WorkerRequest);
      });
    },
    async close() {
      closed = true;
      fail(new Error("loader closed"));
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
