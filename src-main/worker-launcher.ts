/**
 * Workers as Electron utility processes: the same WorkerLauncher the web host implements with
 * child_process.fork (src-workers/host/jobs/launcher.ts), so the job manager cannot tell them apart.
 * Each worker also gets a MessageChannelMain: one port travels with the first message to the worker
 * (process.parentPort's event.ports[0] in src-workers/host/worker-main.ts), the other goes to the
 * renderer, which then receives the worker's events straight from it (preload.cts). A worker that
 * dies (crash, OOM, kill) ends with an exit the job manager reports as crashed, and it can be
 * restarted from there.
 */
import type { ForkOptions, MessageChannelMain, MessagePortMain, UtilityProcess, WebContents } from "electron";
import {
  forwardLines,
  type OutputListener,
  type WorkerHandle,
  type WorkerLauncher,
} from "../src-workers/host/jobs/launcher.js";
import { IPC, WORKER_ENTRY_ENV } from "./ipc-channels.js";

export interface ElectronWorkerDeps {
  /** The built utility-worker.js: wraps the worker entry the job manager names (see that file). */
  readonly utilityEntry: string;
  /** electron.utilityProcess.fork */
  fork(modulePath: string, args: string[], options: ForkOptions): UtilityProcess;
  /** new electron.MessageChannelMain() */
  channel(): MessageChannelMain;
  /** The renderer that shows jobs (the main window), when there is one. */
  renderer(): WebContents | undefined;
}

/** The env variable the job manager names a worker's job with (read to label the renderer's port). */
export const JOB_ID_ENV = "AZAION_JOB_ID";

export class ElectronWorkerLauncher implements WorkerLauncher {
  /** Jobs whose worker posts its events to a renderer that is still showing the page it was given to. */
  private readonly direct = new Map<string, WebContents>();

  constructor(private readonly deps: ElectronWorkerDeps) {}

  /** Whether the renderer already gets this job's events over its own port (then main need not push them). */
  hasDirectPort(jobId: string): boolean {
    const wc = this.direct.get(jobId);
    return wc !== undefined && !wc.isDestroyed();
  }

  start(entryFile: string, o: { env?: NodeJS.ProcessEnv; cwd?: string; jobId?: string } = {}): WorkerHandle {
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, [WORKER_ENTRY_ENV]: entryFile };
    const jobId = o.jobId ?? env[JOB_ID_ENV];
    const child = this.deps.fork(this.deps.utilityEntry, [], {
      env,
      stdio: "pipe",
      serviceName: `Azaion worker${jobId ? ` ${jobId}` : ""}`,
      ...(o.cwd ? { cwd: o.cwd } : {}),
    });
    const { port1: workerPort, port2: rendererPort } = this.deps.channel();
    const renderer = this.deps.renderer();
    if (jobId && renderer && !renderer.isDestroyed()) {
      renderer.postMessage(IPC.workerPort, { jobId }, [rendererPort]);
      this.direct.set(jobId, renderer);
      // A reload or navigation drops the page's port: from then on main pushes the job's events.
      const drop = () => {
        if (this.direct.get(jobId) === renderer) this.direct.delete(jobId);
      };
      renderer.once("did-start-navigation", drop);
      renderer.once("destroyed", drop);
    } else {
      rendererPort.close();
    }

    const output: OutputListener[] = [];
    forwardLines(child.stdout, "stdout", output);
    forwardLines(child.stderr, "stderr", output);

    let alive = true;
    let portSent = false;
    child.once("exit", () => {
      alive = false;
      if (jobId) this.direct.delete(jobId);
      workerPort.close();
    });
    return {
      get pid() {
        return child.pid;
      },
      send(msg) {
        if (!alive) return;
        // The port goes with the first message (the worker's "run"): a utility process can only
        // receive ports attached to a message.
        const transfer: MessagePortMain[] = portSent ? [] : [workerPort];
        portSent = true;
        child.postMessage(msg, transfer);
      },
      onMessage(l) {
        child.on("message", (m: unknown) => l(m));
      },
      onExit(l) {
        child.once("exit", (code: number) => l(code, null));
      },
      onOutput(l) {
        output.push(l);
      },
      kill() {
        if (alive) child.kill();
      },
    };
  }
}
