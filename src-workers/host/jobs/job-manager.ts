/**
 * Jobs of one host: each spec becomes the `azaion` command line, run by a worker process (see
 * launcher.ts) that reports events and its exit. States: starting -> running -> done | failed |
 * stopped | crashed (the process died without saying how it ended: a signal, kill -9, a native crash).
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../core/package-root.js";
import {
  jobSpecSchema,
  type JobEvent,
  type JobInfo,
  type JobSpec,
  type JobSpecInput,
} from "../contract/jobs.js";
import { fromWorkerSchema } from "../contract/worker.js";
import { conflict, notFound } from "../errors.js";
import { jobArgv, specPaths } from "./argv.js";
import type { WorkerHandle, WorkerLauncher } from "./launcher.js";

const LOG_TAIL = 60;
/** On shutdown: time a stopped worker gets before it is killed. */
const CLOSE_GRACE_MS = 20_000;

export function defaultWorkerEntry(): string {
  return join(packageRoot(), "dist", "src-workers", "host", "worker-main.js");
}

export interface JobManagerOptions {
  readonly root: string;
  readonly launcher: WorkerLauncher;
  readonly configFile?: string;
  /** The worker's entry file (default: the built host/worker-main.js). */
  readonly workerEntry?: string;
  readonly onState: (job: JobInfo) => void;
  readonly onEvent: (jobId: string, e: JobEvent) => void;
}

interface Job {
  info: JobInfo;
  handle?: WorkerHandle;
  log?: WriteStream;
  exit?: { code: number; error?: string };
  stopRequested: boolean;
  ended: Promise<void>;
  end: () => void;
}

const ACTIVE = new Set(["starting", "running", "stopping"]);

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly logDir: string;

  constructor(private readonly o: JobManagerOptions) {
    this.logDir = join(o.root, "runs", ".jobs");
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => j.info);
  }

  get(id: string): JobInfo {
    return this.job(id).info;
  }

  logFile(id: string): string {
    return join(this.logDir, `${id}.log`);
  }

  start(input: JobSpecInput): JobInfo {
    const spec = jobSpecSchema.parse(input);
    this.refuseTwins(spec);
    const id = `${spec.kind}-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${randomBytes(3).toString("hex")}`;
    const argv = jobArgv(spec, {
      root: this.o.root,
      ...(this.o.configFile ? { configFile: this.o.configFile } : {}),
    });
    let end!: () => void;
    const ended = new Promise<void>((r) => (end = r));
    const job: Job = {
      info: {
        id,
        spec,
        argv,
        state: "starting",
        startedAt: new Date().toISOString(),
        logFile: this.logFile(id),
        logTail: [],
      },
      stopRequested: false,
      ended,
      end,
    };
    this.jobs.set(id, job);
    mkdirSync(this.logDir, { recursive: true });
    job.log = createWriteStream(this.logFile(id), { flags: "a" });
    job.log.on("error", () => (job.log = undefined));
    job.log.write(`$ azaion ${argv.map(quote).join(" ")}\n`);
    this.launch(job);
    this.o.onState(job.info);
    return job.info;
  }

  /** Graceful stop (SIGINT in the worker); a second stop of a stopping job kills it. */
  stop(id: string): JobInfo {
    const job = this.job(id);
    if (!ACTIVE.has(job.info.state)) return job.info;
    if (job.info.state === "stopping") {
      job.handle?.kill();
      return job.info;
    }
    job.stopRequested = true;
    job.handle?.send({ type: "stop" });
    this.update(job, { state: "stopping" });
    return job.info;
  }

  /** The spec again as a new job; a training run resumes from its last checkpoint when it has one. */
  restart(id: string): JobInfo {
    const old = this.job(id);
    if (ACTIVE.has(old.info.state)) throw conflict(`job ${id} is still ${old.info.state}; stop it first`);
    let spec: JobSpec = old.info.spec;
    if (spec.kind === "train") {
      const state = join(this.o.root, "runs", spec.name, "weights", "last.state.safetensors");
      spec = { ...spec, resume: existsSync(state) };
    }
    return this.start(spec);
  }

  /** Jobs running the long-lived services, for services.status. */
  serviceJobs(): { queue?: string; augment?: string } {
    const out: { queue?: string; augment?: string } = {};
    for (const j of this.jobs.values()) {
      if (!ACTIVE.has(j.info.state)) continue;
      if (j.info.spec.kind === "queue") out.queue = j.info.id;
      if (j.info.spec.kind === "augment") out.augment = j.info.id;
    }
    return out;
  }

  /** Every path a job named (inputs, outputs, results) and the job logs: the media routes may serve them. */
  namedPaths(): string[] {
    const out = [this.logDir];
    for (const j of this.jobs.values()) {
      out.push(...specPaths(j.info.spec, this.o.root));
      for (const p of Object.values(j.info.result ?? {})) out.push(p);
    }
    return out;
  }

  /** Stop every running job and wait for them (killing those that outlast the grace). */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    const active = [...this.jobs.values()].filter((j) => ACTIVE.has(j.info.state));
    for (const j of active) this.stop(j.info.id);
    const timer = setTimeout(() => {
      for (const j of active) j.handle?.kill();
    }, graceMs);
    await Promise.all(active.map((j) => j.ended));
    clearTimeout(timer);
  }

  private job(id: string): Job {
    const j = this.jobs.get(id);
    if (!j) throw notFound(`no job ${id}`);
    return j;
  }

  /** One queue consumer, one augmentation service and one training per run name at a time. */
  private refuseTwins(spec: JobSpec): void {
    for (const j of this.jobs.values()) {
      if (!ACTIVE.has(j.info.state)) continue;
      const s = j.info.spec;
      if (s.kind === "queue" && spec.kind === "queue")
        throw conflict(`the queue consumer already runs (job ${j.info.id})`);
      if (s.kind === "augment" && spec.kind === "augment")
        throw conflict(`augmentation already runs (job ${j.info.id})`);
      if (s.kind === "train" && spec.kind === "train" && s.name === spec.name)
        throw conflict(`a training run named "${spec.name}" already runs (job ${j.info.id})`);
    }
  }

  private launch(job: Job): void {
    let handle: WorkerHandle;
    try {
      const jobId = job.info.id;
      handle = this.o.launcher.start(this.o.workerEntry ?? defaultWorkerEntry(), {
        cwd: this.o.root,
        jobId,
        env: { AZAION_JOB_ID: jobId },
      });
    } catch (e) {
      this.finish(job, { state: "failed", error: `cannot start a worker: ${(e as Error).message}` });
      return;
    }
    job.handle = handle;
    if (handle.pid !== undefined) job.info = { ...job.info, pid: handle.pid };
    handle.onMessage((raw) => this.message(job, raw));
    handle.onOutput?.((stream, line) => this.log(job, stream, line));
    handle.onExit((code, signal) => this.exited(job, code, signal));
  }

  private message(job: Job, raw: unknown): void {
    const m = fromWorkerSchema.safeParse(raw);
    if (!m.success) {
      this.log(
        job,
        "stderr",
        `host: a bad message from the worker was ignored: ${JSON.stringify(raw).slice(0, 200)}`,
      );
      return;
    }
    const msg = m.data;
    if (msg.type === "ready") {
      job.handle?.send({ type: "run", argv: job.info.argv, cwd: this.o.root });
      if (job.stopRequested) job.handle?.send({ type: "stop" });
      else this.update(job, { state: "running" });
      return;
    }
    if (msg.type === "exit") {
      job.exit = { code: msg.code, ...(msg.error ? { error: msg.error } : {}) };
      return;
    }
    const e = msg.event;
    if (e.type === "log") {
      this.log(job, e.stream, e.line);
      return;
    }
    if (e.type === "progress") job.info = { ...job.info, progress: e.progress };
    if (e.type === "result") {
      job.info = { ...job.info, result: { ...job.info.result, ...e.paths } };
      this.o.onState(job.info);
    }
    this.o.onEvent(job.info.id, e);
  }

  private log(job: Job, stream: "stdout" | "stderr", line: string): void {
    job.log?.write(`${line}\n`);
    const tail = [...job.info.logTail, line];
    job.info = { ...job.info, logTail: tail.length > LOG_TAIL ? tail.slice(-LOG_TAIL) : tail };
    this.o.onEvent(job.info.id, { type: "log", stream, line });
  }

  private exited(job: Job, code: number | null, signal: string | null): void {
    const x = job.exit;
    if (x && job.stopRequested) this.finish(job, { state: "stopped", exitCode: x.code });
    else if (x && x.code === 0) this.finish(job, { state: "done", exitCode: 0 });
    else if (x)
      this.finish(job, { state: "failed", exitCode: x.code, error: x.error ?? `exit code ${x.code}` });
    else if (job.stopRequested) this.finish(job, { state: "stopped", exitCode: code });
    else {
      const how = signal ? `killed by ${signal}` : `exited with code ${code ?? "?"} without reporting`;
      this.finish(job, { state: "crashed", exitCode: code, error: `the worker died (${how})` });
    }
  }

  private finish(job: Job, patch: Partial<JobInfo>): void {
    if (!ACTIVE.has(job.info.state)) return;
    // An ended job has no process any more.
    const { pid: _gone, ...info } = job.info;
    job.info = info;
    this.update(job, { ...patch, endedAt: new Date().toISOString() });
    job.log?.write(`[${job.info.state}${job.info.error ? `: ${job.info.error}` : ""}]\n`);
    job.log?.end();
    job.log = undefined;
    job.handle = undefined;
    job.end();
  }

  private update(job: Job, patch: Partial<JobInfo>): void {
    job.info = { ...job.info, ...patch };
    this.o.onState(job.info);
  }
}

function quote(a: string): string {
  return /^[\w./:=+-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`;
}
