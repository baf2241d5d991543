/**
 * Data-parallel collectives on libtorch's c10d (the addon's native/torch/src/distributed.cc): a process
 * group over Gloo (CPU tensors) or NCCL (CUDA tensors, when the addon was built against a CUDA libtorch
 * with NCCL), rendezvoused through a TCPStore that rank 0 hosts at masterAddr:masterPort.
 *
 * Every collective is in place and returns a Promise that settles off the JS thread; a peer that never
 * joins, stalls or dies rejects it with a DistributedError after `timeoutMs` (or at once when its socket
 * closes), so no rank hangs forever.
 */
import { nativeTorch } from "./native.js";
import { TorchError } from "./errors.js";
import type { Tensor } from "./tensor.js";

export type DistBackend = "gloo" | "nccl";
export type ReduceOp = "sum" | "avg";

export interface ProcessGroupOptions {
  readonly backend: DistBackend;
  /** Address of rank 0 (it hosts the store); 127.0.0.1 on one machine. */
  readonly masterAddr: string;
  readonly masterPort: number;
  readonly rank: number;
  readonly worldSize: number;
  /** Rendezvous and every collective fail after this long without progress (default 30 min, as PyTorch). */
  readonly timeoutMs?: number;
  /** Bytes per flattened bucket (default 25 MiB, DistributedDataParallel's bucket_cap_mb). */
  readonly bucketBytes?: number;
}

/** How a collective failed: a peer too slow or absent (timeout), a peer gone (its socket closed), or other. */
export type DistributedFailure = "timeout" | "peer-lost" | "failed";

export class DistributedError extends TorchError {
  constructor(
    message: string,
    op: string,
    detail: string,
    readonly kind: DistributedFailure,
  ) {
    super(message, op, "", detail);
    this.name = "DistributedError";
  }
}

function failureKind(detail: string): DistributedFailure {
  if (/timed? ?out|timeout/i.test(detail)) return "timeout";
  if (/closed by peer|reset by peer|broken pipe|connection refused|end of file|EOF/i.test(detail))
    return "peer-lost";
  return "failed";
}

async function typed<T>(rank: number, what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (!(e instanceof TorchError)) throw e;
    const kind = failureKind(e.detail);
    const hint =
      kind === "timeout"
        ? " (a peer did not take part in time: it may have died, stalled, or never started)"
        : kind === "peer-lost"
          ? " (a peer process went away)"
          : "";
    throw new DistributedError(`rank ${rank}: ${what} failed${hint}: ${e.detail}`, e.op, e.detail, kind);
  }
}

/** The backends this build of the addon can run. */
export function distributedBackends(): { gloo: boolean; nccl: boolean } {
  return nativeTorch().distBackends();
}

export class ProcessGroup {
  private destroyed = false;

  private constructor(
    private readonly id: number,
    readonly backend: DistBackend,
    readonly rank: number,
    readonly worldSize: number,
    readonly timeoutMs: number,
    private readonly bucketBytes: number,
  ) {}

  /** Join the group: resolves once every rank has connected (or rejects after timeoutMs). */
  static async init(o: ProcessGroupOptions): Promise<ProcessGroup> {
    const timeoutMs = o.timeoutMs ?? 30 * 60_000;
    const bucketBytes = o.bucketBytes ?? 25 << 20;
    if (!Number.isInteger(o.worldSize) || o.worldSize < 1)
      throw new RangeError(`worldSize ${o.worldSize}: expected a whole number >= 1`);
    if (!Number.isInteger(o.rank) || o.rank < 0 || o.rank >= o.worldSize)
      throw new RangeError(`rank ${o.rank}: expected 0..${o.worldSize - 1}`);
    if (!Number.isInteger(o.masterPort) || o.masterPort < 1 || o.masterPort > 65535)
      throw new RangeError(`masterPort ${o.masterPort}: expected 1-65535`);
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs ${timeoutMs}: expected > 0`);
    if (!(bucketBytes > 0)) throw new RangeError(`bucketBytes ${bucketBytes}: expected > 0`);
    const id = await typed(
      o.rank,
      `joining the ${o.backend} group at ${o.masterAddr}:${o.masterPort} (world size ${o.worldSize})`,
      nativeTorch().distInit({
        backend: o.backend,
        host: o.masterAddr,
        port: o.masterPort,
        rank: o.rank,
        worldSize: o.worldSize,
        timeoutMs: Math.round(timeoutMs),
      }),
    );
    return new ProcessGroup(id, o.backend, o.rank, o.worldSize, timeoutMs, bucketBytes);
  }

  private check(): void {
    if (this.destroyed) throw new Error("the process group was destroyed");
  }

  /** Reduce the tensors across ranks, in place (every rank gets the result). Same list on every rank. */
  allreduce(tensors: readonly Tensor[], op: ReduceOp = "sum"): Promise<void> {
    this.check();
    const ts = tensors.map((t) => t.native);
    const opts = { op, grads: false, bucketBytes: this.bucketBytes };
    return typed(this.rank, "allreduce", nativeTorch().distAllreduce(this.id, ts, opts));
  }

  /** Reduce the gradients of these parameters in place; every one must have a gradient. */
  allreduceGrads(params: readonly Tensor[], op: ReduceOp = "sum"): Promise<void> {
    this.check();
    const ts = params.map((t) => t.native);
    const opts = { op, grads: true, bucketBytes: this.bucketBytes };
    return typed(this.rank, "gradient allreduce", nativeTorch().distAllreduce(this.id, ts, opts));
  }

  /** Copy root's values into every rank's tensors, in place. */
  broadcast(tensors: readonly Tensor[], root = 0): Promise<void> {
    this.check();
    const ts = tensors.map((t) => t.native);
    const opts = { bucketBytes: this.bucketBytes };
    return typed(this.rank, "broadcast", nativeTorch().distBroadcast(this.id, ts, root, opts));
  }

  /** Resolves once every rank has reached it. */
  barrier(): Promise<void> {
    this.check();
    return typed(this.rank, "barrier", nativeTorch().distBarrier(this.id));
  }

  /** Leave the group (a collective in flight still finishes). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    nativeTorch().distDestroy(this.id);
  }
}
