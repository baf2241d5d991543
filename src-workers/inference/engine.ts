/**
 * The inference engine as the pipeline sees it: open a model on a device, run batches, close. The
 * session runs in a worker thread so the caller's thread stays free for decoding and letterboxing
 * the next batch (onnxruntime-node's run() blocks its thread); input buffers travel there and back
 * without copies. Where the compiled worker is absent (tests on the TypeScript sources), the session
 * runs on this thread instead, with the same results.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { AzaionError } from "../core/errors.js";
import type { BatchReply, BatchRequest, EngineDescription, EngineHost } from "./engine-host.js";
import type { SessionRequest } from "./session.js";

export type WorkerRequest = { type: "run"; id: number; batch: BatchRequest } | { type: "close" };

export type WorkerReply =
  | { type: "opened"; description: EngineDescription }
  | { type: "failed"; message: string }
  | { type: "result"; id: number; reply: BatchReply; input: Float32Array }
  | { type: "error"; id: number; message: string; input: Float32Array };

/** A batch's detections, and its input buffer handed back for reuse. */
export interface BatchResult extends BatchReply {
  readonly input: Float32Array;
}

const WORKER_FILE = fileURLToPath(new URL("./engine-worker.js", import.meta.url));

export interface InferenceEngine {
  readonly description: EngineDescription;
  /** Whether the session runs on its own thread. */
  readonly threaded: boolean;
  /** The input buffer is handed over (detached here) until the result gives it back. */
  run(batch: BatchRequest): Promise<BatchResult>;
  close(): Promise<void>;
}

export async function openEngine(
  req: SessionRequest,
  opts: { thread?: boolean } = {},
): Promise<InferenceEngine> {
  const fail = (message: string): never => {
    throw new AzaionError(`${req.model}: cannot open the model: ${message}`, "E_MODEL");
  };
  if (opts.thread === false || !existsSync(WORKER_FILE)) {
    const { EngineHost: Host } = await import("./engine-host.js");
    let host: EngineHost | undefined;
    try {
      host = await Host.open(req);
    } catch (err) {
      fail((err as Error).message);
    }
    return inThread(host!);
  }
  const worker = new Worker(WORKER_FILE, { workerData: req });
  let onMessage: ((m: WorkerReply) => void) | undefined;
  let onError: ((e: Error) => void) | undefined;
  let onExit: ((code: number) => void) | undefined;
  const first = await new Promise<WorkerReply>((resolve, reject) => {
    onMessage = resolve;
    onError = reject;
    onExit = (code) => reject(new Error(`the inference worker exited with code ${code}`));
    worker.once("message", onMessage).once("error", onError).once("exit", onExit);
  }).catch((err: Error) => ({ type: "failed" as const, message: err.message }));
  // Only our own listeners: Worker keeps internal ones that removeAllListeners would break.
  worker.off("message", onMessage!).off("error", onError!).off("exit", onExit!);
  if (first.type !== "opened") {
    await worker.terminate();
    return fail(first.type === "failed" ? first.message : "unexpected first message from the worker");
  }
  return new ThreadEngine(worker, first.description);
}

function inThread(host: EngineHost): InferenceEngine {
  return {
    description: host.describe(),
    threaded: false,
    run: async (batch) => ({ ...(await host.run(batch)), input: batch.input }),
    close: () => host.close(),
  };
}

class ThreadEngine implements InferenceEngine {
  readonly threaded = true;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: BatchResult) => void; reject: (e: Error) => void }
  >();
  private dead: Error | undefined;

  constructor(
    private readonly worker: Worker,
    readonly description: EngineDescription,
  ) {
    worker.on("message", (m: WorkerReply) => {
      if (m.type !== "result" && m.type !== "error") return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.type === "result") p.resolve({ ...m.reply, input: m.input });
      else p.reject(new AzaionError(`inference failed: ${m.message}`, "E_INFERENCE"));
    });
    const die = (err: Error): void => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on("error", die);
    worker.on("exit", (code) =>
      die(new AzaionError(`the inference worker exited (code ${code})`, "E_INFERENCE")),
    );
  }

  run(batch: BatchRequest): Promise<BatchResult> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const msg: WorkerRequest = { type: "run", id, batch };
      this.worker.postMessage(msg, [batch.input.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.postMessage({ type: "close" } satisfies WorkerRequest);
    await exited;
  }
}
