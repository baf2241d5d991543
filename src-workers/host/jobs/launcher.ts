/**
 * How a host starts a worker process. The web host forks a Node child process; Electron's main
 * process implements the same interface with utilityProcess. A worker speaks contract/worker.ts.
 */
import { fork } from "node:child_process";
import { createInterface } from "node:readline";

export type OutputListener = (stream: "stdout" | "stderr", line: string) => void;

export interface WorkerHandle {
  send(msg: unknown): void;
  onMessage(listener: (msg: unknown) => void): void;
  /** Once, when the process is gone: its exit code, or the signal that ended it. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Lines the worker wrote to its stdout/stderr behind the back of process.stdout/stderr (optional). */
  onOutput?(listener: OutputListener): void;
  /** Kill at once (SIGKILL): for a worker that does not finish after a stop. */
  kill(): void;
  readonly pid?: number | undefined;
}

export interface WorkerLauncher {
  /** `jobId` names the job the worker runs (also set as AZAION_JOB_ID in env). */
  start(entryFile: string, o?: { env?: NodeJS.ProcessEnv; cwd?: string; jobId?: string }): WorkerHandle;
}

/** Each line of a worker's output stream to every listener (those added later included). */
export function forwardLines(
  stream: NodeJS.ReadableStream | null,
  name: "stdout" | "stderr",
  listeners: readonly OutputListener[],
): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on("line", (l) => {
    for (const f of listeners) f(name, l);
  });
}

/** Workers as Node child processes with an IPC channel (`azaion serve`, the tests). */
export const forkLauncher: WorkerLauncher = {
  start(entryFile, o = {}) {
    const child = fork(entryFile, [], {
      // The worker sends what the command prints as log events; stderr is kept for what bypasses
      // process.stderr (a native library's message, Node's own fatal error).
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, ...o.env },
      ...(o.cwd ? { cwd: o.cwd } : {}),
      serialization: "json",
      // Its own process group: a Ctrl+C in the host's terminal reaches the host, which stops its
      // jobs itself (once), instead of every worker at the same time.
      // (On Windows a detached child would get a console window of its own.)
      detached: process.platform !== "win32",
    });
    const output: OutputListener[] = [];
    forwardLines(child.stderr, "stderr", output);
    // An error (fork failed, channel closed) shows up as the exit that follows.
    child.on("error", () => undefined);
    return {
      pid: child.pid,
      send(msg) {
        if (child.connected) child.send(msg as object, (err) => void err);
      },
      onMessage(l) {
        child.on("message", l);
      },
      onExit(l) {
        // "close" comes after the last output line, "exit" may come before it.
        child.once("close", (code, signal) => l(code, signal));
      },
      onOutput(l) {
        output.push(l);
      },
      kill() {
        child.kill("SIGKILL");
      },
    };
  },
};
