/**
 * Where frames are made: on this thread, or on worker threads when the built worker is there
 * (dist/). Workers let pixel making use every core while sharp encodes; output is identical either way.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { generateSynthImage, type SynthImage } from "./scene.js";

export interface FrameRequest {
  readonly id: number;
  readonly seed: number;
  readonly index: number;
  readonly size: number;
}

export type FrameReply =
  { readonly id: number; readonly img: SynthImage } | { readonly id: number; readonly error: string };

export interface FrameSource {
  /** Worker threads in use (0: frames are made on this thread). */
  readonly threads: number;
  frame(seed: number, index: number, size: number): Promise<SynthImage>;
  close(): Promise<void>;
}

/** The compiled worker; missing when running from TypeScript sources (tests), which then stay on one thread. */
const WORKER_FILE = fileURLToPath(new URL("./worker.js", import.meta.url));

/** Threads worth starting: one per core, at most 4 (beyond that the encoder is the limit). */
export function defaultThreads(): number {
  return Math.min(4, availableParallelism());
}

export function openFrameSource(threads = defaultThreads()): FrameSource {
  if (threads <= 0 || !existsSync(WORKER_FILE)) {
    return {
      threads: 0,
      frame: (seed, index, size) => Promise.resolve(generateSynthImage(seed, index, size)),
      close: () => Promise.resolve(),
    };
  }
  return new WorkerFrameSource(threads);
}

interface Pending {
  readonly resolve: (img: SynthImage) => void;
  readonly reject: (err: Error) => void;
  readonly worker: number;
}

class WorkerFrameSource implements FrameSource {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly dead = new Set<number>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(readonly threads: number) {
    for (let w = 0; w < threads; w++) {
      const worker = new Worker(WORKER_FILE);
      worker.on("message", (reply: FrameReply) => this.settle(reply));
      worker.on("error", (err) => this.failAll(w, err));
      worker.on(
        "exit",
        (code) => code !== 0 && this.failAll(w, new Error(`synth worker ${w} exited with code ${code}`)),
      );
      this.workers.push(worker);
      this.load.push(0);
    }
  }

  frame(seed: number, index: number, size: number): Promise<SynthImage> {
    // The least busy worker: frames differ in cost, so strict round-robin would leave one idle.
    let w = -1;
    for (let k = 0; k < this.load.length; k++)
      if (!this.dead.has(k) && (w < 0 || this.load[k]! < this.load[w]!)) w = k;
    if (w < 0) return Promise.reject(new Error("every synth worker has stopped"));
    const id = this.nextId++;
    this.load[w]!++;
    return new Promise<SynthImage>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w });
      const req: FrameRequest = { id, seed, index, size };
      this.workers[w]!.postMessage(req);
    });
  }

  private settle(reply: FrameReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    this.load[p.worker]!--;
    if ("error" in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.img);
  }

  private failAll(worker: number, err: Error): void {
    this.dead.add(worker);
    for (const [id, p] of this.pending) {
      if (p.worker !== worker) continue;
      this.pending.delete(id);
      p.reject(err);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
