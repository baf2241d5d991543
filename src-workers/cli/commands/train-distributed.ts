/**
 * `azaion train` across processes: the role of this process and, for the launcher, starting the ranks.
 *
 * - torchrun's variables set (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT): this process is
 *   that rank; nothing is spawned (also how the launcher's children see themselves). Torch threads:
 *   the cores divided by LOCAL_WORLD_SIZE unless --threads or AZAION_TORCH__THREADS says otherwise.
 * - `--nproc N` (and `--nnodes M --node-rank K --master-addr A --master-port P` across machines): this
 *   process is the launcher. It spawns N copies of the same command line with those variables, on a
 *   free loopback port when there is one node; forwards SIGINT/SIGTERM to them; when one rank fails it
 *   stops the others, and its exit code is the first failure's.
 * - otherwise one plain process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { z } from "zod";
import { UsageError } from "../../core/errors.js";
import { freePort } from "../../core/free-port.js";
import { zodIssuesToText } from "../../core/zod-text.js";
import { ProcessGroup, setNumThreads } from "../../torch/index.js";
import { DataParallel } from "../../yolo/engine/data-parallel.js";
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { formTrainingDataset } from "./dataset-form.js";
import { num } from "./train-common.js";

export interface DistributedFlags {
  readonly nproc?: string;
  readonly nnodes?: string;
  readonly nodeRank?: string;
  readonly masterAddr?: string;
  readonly masterPort?: string;
  readonly distTimeout?: string;
}

export interface WorkerRole {
  readonly kind: "worker";
  readonly rank: number;
  readonly worldSize: number;
  readonly localRank: number;
  readonly localWorldSize: number;
  readonly masterAddr: string;
  readonly masterPort: number;
  readonly timeoutMs: number;
}
export interface LauncherRole {
  readonly kind: "launcher";
  readonly nproc: number;
  readonly nnodes: number;
  readonly nodeRank: number;
  readonly masterAddr: string;
  readonly masterPort: number | null;
}
export type DistributedRole = { readonly kind: "single" } | LauncherRole | WorkerRole;

const count = z.coerce.number().int().min(0);
const TorchrunEnv = z.object({
  RANK: count,
  WORLD_SIZE: z.coerce.number().int().min(1),
  LOCAL_RANK: count.optional(),
  LOCAL_WORLD_SIZE: z.coerce.number().int().min(1).optional(),
  MASTER_ADDR: z.string().min(1),
  MASTER_PORT: z.coerce.number().int().min(1).max(65535),
});

/** The options of `azaion train` for data-parallel training. */
export function addDistributedOptions(cmd: Command): Command {
  return cmd
    .option(
      "--nproc <n>",
      "data-parallel processes on this machine (one per GPU with --device cuda; default 1)",
    )
    .option(
      "--nnodes <n>",
      "machines taking part (default 1); each runs the same command with its --node-rank",
    )
    .option("--node-rank <k>", "this machine's index, 0..nnodes-1 (default 0)")
    .option("--master-addr <host>", "address of node 0, where rank 0 listens (default 127.0.0.1)")
    .option("--master-port <port>", "port on node 0 for the rendezvous (default: a free one, one node only)")
    .option("--dist-timeout <s>", "seconds a rank waits for the others before failing (default 1800)");
}

/** Torch threads of a rank: this machine's cores shared between its `ranks`. */
function threadsPerRank(ranks: number): number {
  return Math.max(1, Math.floor(availableParallelism() / ranks));
}

/** The batch of data-parallel training is the global one, given: AutoBatch sizes one process. */
function checkGlobalBatch(f: { batch?: string }): void {
  if (f.batch?.trim() === "-1")
    throw new UsageError("--batch -1 (AutoBatch) is for one process; give the global batch");
}

/** Seconds without progress after which a collective fails (default 1800, PyTorch's). */
function timeoutMs(f: DistributedFlags): number {
  const s = num("--dist-timeout", f.distTimeout, false) ?? 1800;
  if (!(s > 0)) throw new UsageError(`--dist-timeout ${f.distTimeout}: expected seconds > 0`);
  return Math.round(s * 1000);
}

export function distributedRole(f: DistributedFlags, env: NodeJS.ProcessEnv): DistributedRole {
  const ms = timeoutMs(f);
  if (env.RANK !== undefined || env.WORLD_SIZE !== undefined) {
    const keys = [
      "RANK",
      "WORLD_SIZE",
      "LOCAL_RANK",
      "LOCAL_WORLD_SIZE",
      "MASTER_ADDR",
      "MASTER_PORT",
    ] as const;
    const parsed = TorchrunEnv.safeParse(Object.fromEntries(keys.map((k) => [k, env[k]])));
    if (!parsed.success)
      throw new UsageError(
        `distributed environment (torchrun's variables): ${zodIssuesToText(parsed.error).text}`,
      );
    const e = parsed.data;
    if (e.RANK >= e.WORLD_SIZE)
      throw new UsageError(`RANK ${e.RANK} is not below WORLD_SIZE ${e.WORLD_SIZE}`);
    if (e.WORLD_SIZE === 1) return { kind: "single" };
    return {
      kind: "worker",
      rank: e.RANK,
      worldSize: e.WORLD_SIZE,
      localRank: e.LOCAL_RANK ?? e.RANK,
      localWorldSize: e.LOCAL_WORLD_SIZE ?? e.WORLD_SIZE,
      masterAddr: e.MASTER_ADDR,
      masterPort: e.MASTER_PORT,
      timeoutMs: ms,
    };
  }
  const nproc = num("--nproc", f.nproc) ?? 1;
  const nnodes = num("--nnodes", f.nnodes) ?? 1;
  const nodeRank = num("--node-rank", f.nodeRank) ?? 0;
  const port = num("--master-port", f.masterPort);
  if (nproc < 1) throw new UsageError(`--nproc ${nproc}: expected 1 or more processes`);
  if (nnodes < 1) throw new UsageError(`--nnodes ${nnodes}: expected 1 or more machines`);
  if (nodeRank < 0 || nodeRank >= nnodes)
    throw new UsageError(`--node-rank ${nodeRank}: expected 0..${nnodes - 1}`);
  if (port !== undefined && (port < 1 || port > 65535))
    throw new UsageError(`--master-port ${port}: expected 1-65535`);
  if (nnodes > 1 && (f.masterAddr === undefined || port === undefined))
    throw new UsageError(
      "--nnodes > 1: give --master-addr and --master-port (node 0's address and a free port there)",
    );
  if (nproc * nnodes === 1) return { kind: "single" };
  return {
    kind: "launcher",
    nproc,
    nnodes,
    nodeRank,
    masterAddr: f.masterAddr ?? "127.0.0.1",
    masterPort: port ?? null,
  };
}

/**
 * Spawn the ranks of this node (the same command line, `extra` arguments appended) and wait for them.
 * Ranks other than 0 run with --quiet: one progress display. Returns the exit code.
 */
export async function launch(role: LauncherRole, extra: readonly string[], ctx: CliContext): Promise<number> {
  const port = role.masterPort ?? (await freePort(role.masterAddr));
  const world = role.nproc * role.nnodes;
  const script = process.argv[1]!;
  const args = process.argv.slice(2);
  // Torch threads: the cores shared between this node's ranks, unless set.
  const threads = String(threadsPerRank(role.nproc));
  ctx.info(
    `data-parallel: ${role.nproc} processes on this node (node ${role.nodeRank} of ${role.nnodes}, world size ${world}), ` +
      `rendezvous at ${role.masterAddr}:${port}`,
  );
  const children: ChildProcess[] = [];
  let firstFailure: number | null = null;
  const exits = Array.from({ length: role.nproc }, (_, local) => {
    const rank = role.nodeRank * role.nproc + local;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      RANK: String(rank),
      WORLD_SIZE: String(world),
      LOCAL_RANK: String(local),
      LOCAL_WORLD_SIZE: String(role.nproc),
      MASTER_ADDR: role.masterAddr,
      MASTER_PORT: String(port),
      AZAION_TORCH__THREADS: process.env.AZAION_TORCH__THREADS ?? threads,
    };
    const child = spawn(
      process.execPath,
      [...process.execArgv, script, ...(rank === 0 ? [] : ["--quiet"]), ...args, ...extra],
      { env, stdio: "inherit" },
    );
    children.push(child);
    return new Promise<number>((resolve) => {
      child.once("error", (e) => {
        ctx.info(`rank ${rank}: could not start: ${e.message}`);
        resolve(1);
      });
      child.once("exit", (code, signal) => {
        const c = code ?? (signal ? 128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 9) : 1);
        if (c !== 0 && firstFailure === null) {
          firstFailure = c;
          ctx.info(`rank ${rank} exited with ${signal ?? `code ${c}`}: stopping the other ranks`);
          for (const other of children) if (other !== child && other.exitCode === null) other.kill("SIGTERM");
        }
        resolve(c);
      });
    });
  });
  const forward = (sig: NodeJS.Signals) => () => {
    for (const c of children) if (c.exitCode === null) c.kill(sig);
  };
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    const codes = await Promise.all(exits);
    return firstFailure ?? codes.find((c) => c !== 0) ?? 0;
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}

/** A rank's checks of the flags (one dataset for all; no AutoBatch) and its share of the cores. */
export function prepareWorker(
  role: WorkerRole,
  f: { data?: string; resume?: boolean; batch?: string },
): WorkerRole {
  if (f.data === undefined && !f.resume)
    throw new UsageError("data-parallel ranks need --data (one dataset for all of them)");
  checkGlobalBatch(f);
  // Under torchrun nothing divided the cores between this machine's ranks (the launcher sets the variable).
  if (process.env.AZAION_TORCH__THREADS === undefined) setNumThreads(threadsPerRank(role.localWorldSize));
  return role;
}

/**
 * A rank's device, checked against its batch: with CUDA each local rank takes its own GPU (cuda:LOCAL_RANK),
 * and the global batch must give every rank at least one image.
 */
export function workerDevice(role: WorkerRole, run: { device: string; batch: number }): string {
  if (run.batch < role.worldSize)
    throw new UsageError(
      `--batch ${run.batch}: the global batch needs at least one image per rank (${role.worldSize})`,
    );
  return run.device.startsWith("cuda") ? `cuda:${role.localRank}` : run.device;
}

/** The launcher's part of `azaion train`: the dataset formed once (without --data), then the ranks. */
export async function launchTraining(
  role: LauncherRole,
  f: { data?: string; resume?: boolean; batch?: string },
  ctx: CliContext,
): Promise<number> {
  checkGlobalBatch(f);
  if (f.data === undefined && !f.resume && role.nnodes > 1)
    throw new UsageError("--nnodes > 1: give --data (a dataset every machine can read)");
  const extra = f.data === undefined && !f.resume ? ["--data", await formTrainingDataset(ctx)] : [];
  return launch(role, extra, ctx);
}

/** Join the group (Gloo on the CPU, NCCL on CUDA) and wrap it for the trainer. */
export async function joinGroup(role: WorkerRole, device: string): Promise<DataParallel> {
  const group = await ProcessGroup.init({
    backend: device.startsWith("cuda") ? "nccl" : "gloo",
    masterAddr: role.masterAddr,
    masterPort: role.masterPort,
    rank: role.rank,
    worldSize: role.worldSize,
    timeoutMs: role.timeoutMs,
  });
  return new DataParallel(group, device.startsWith("cuda") ? device : "cpu");
}
