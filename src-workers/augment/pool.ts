/**
 * Where sources are processed: on worker threads (the transforms are JavaScript, so threads are
 * what uses every core), or on this thread with several sources in flight (tests, or when the
 * compiled worker is absent). Results are the same either way.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import sharp from "sharp";
import { classCatalog } from "../core/classes.js";
import { AzaionError } from "../core/errors.js";
import { processSafely, type SourceJob, type SourceResult } from "./processor.js";
import { augmentPaths } from "./state.js";
import type { AugmentVariant } from "./types.js";

export interface SourceRunner {
  /** Sources that can be processed at once. */
  readonly slots: number;
  /** Worker threads in use (0: this thread). */
  readonly threads: number;
  run(job: SourceJob): Promise<SourceResult>;
  close(): Promise<void>;
}

export interface WorkerInit {
  /** URL of an ES module exporting `augmentVariant: AugmentVariant`. */
  readonly variantModule: string;
  readonly out: string;
}

export type WorkerRequest = { readonly id: number; readonly job: SourceJob };
export type WorkerReply = { readonly id: number; readonly result: SourceResult };

/** The compiled worker; missing when running from TypeScript sources. */
const WORKER_FILE = fileURLToPath(new URL("./worker.js", import.meta.url));

export function inProcessRunner(variant: AugmentVariant, out: string, slots: number): SourceRunner {
  const paths = augmentPaths(out);
  const catalog = classCatalog();
  return {
    slots: Math.max(1, slots),
    threads: 0,
    run: (job) => processSafely(job, variant, paths, catalog),
    close: () => Promise.resolve(),
  };
}

/** Load `augmentVariant` from a module; a clear error when the module or the export is missing. */
export async function loadVariant(variantModule: string): Promise<AugmentVariant> {
  let mod: { augmentVariant?: unknown };
  try {
    mod = (await import(variantModule)) as { augmentVariant?: unknown };
  } catch (e) {
    throw new AzaionError(
      `cannot load the augmentation pipeline ${variantModule}: ${(e as Error).message}`,
      "E_AUGMENT",
    );
  }
  if (typeof mod.augmentVariant !== "function")
    throw new AzaionError(`${variantModule} does not export an augmentVariant function`, "E_AUGMENT");
  return mod.augmentVariant as AugmentVariant;
}

/** Worker threads when the compiled worker exists and threads > 0, else this thread with `threads` sources in flight. */
export async function openRunner(init: WorkerInit, threads: number): Promise<SourceRunner> {
  const variant = await loadVariant(init.variantModule); // fail early, before any thread starts
  if (threads <= 0 || !existsSync(WORKER_FILE)) return inProcessRunner(variant, init.out, threads);
  // One libvips thread per operation: each worker is a core's worth of work already.
  if (threads > 1) sharp.concurrency(1);
  return new WorkerRunner(init, threads);
}

interface Pending {
  readonly resolve: (r: SourceResult) => void;
  readonly job: SourceJob;
  readonly worker: number;
}

class WorkerRunner implements SourceRunner {
  private readonly workers: (Worker | undefined)[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closing = false;

  constructor(
    private readonly init: WorkerInit,
    readonly threads: number,
  ) {
    for (let w = 0; w < threads; w++) {
      this.load.push(0);
      this.start(w);
    }
  }

  get slots(): number {
    return this.threads;
  }

  private start(w: number): void {
    const worker = new Worker(WORKER_FILE, { workerData: this.init });
    worker.on("message", (reply: WorkerReply) => this.settle(reply));
    // A worker that dies fails its sources (they are retried next pass) and is replaced.
    const died = (why: string) => {
      if (this.workers[w] !== worker) return;
      this.workers[w] = undefined;
      this.failAll(w, why);
      if (!this.closing) this.start(w);
    };
    worker.on("error", (err) => died(`worker thread failed: ${err.message}`));
    worker.on("exit", (code) => died(`worker thread exited with code ${code}`));
    this.workers[w] = worker;
  }

  run(job: SourceJob): Promise<SourceResult> {
    let w = -1;
    for (let k = 0; k < this.load.length; k++)
      if (this.workers[k] && (w < 0 || this.load[k]! < this.load[w]!)) w = k;
    if (w < 0) return Promise.resolve(failed(job, "no worker thread is running"));
    const id = this.nextId++;
    this.load[w]!++;
    return new Promise<SourceResult>((resolve) => {
      this.pending.set(id, { resolve, job, worker: w });
      const req: WorkerRequest = { id, job };
      this.workers[w]!.postMessage(req);
    });
  }

  private settle(reply: WorkerReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    this.load[p.worker]!--;
    p.resolve(reply.result);
  }

  private failAll(w: number, why: string): void {
    for (const [id, p] of this.pending) {
      if (p.worker !== w) continue;
      this.pending.delete(id);
      this.load[w]!--;
      p.resolve(failed(p.job, why));
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.flatMap((w) => (w ? [w.terminate()] : [])));
  }
}

function failed(job: SourceJob, reason: string): SourceResult {
  return { kind: "failed", stem: job.stem, file: job.imagePath, reason };
}
