/**
 * `azaion serve` as a user starts it: the built CLI on a data root, bound to 127.0.0.1 on a free port.
 * Ready once it answers the renderer's index page over HTTP.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { freePort } from "../../src-workers/core/free-port.js";
import { repoRoot } from "../../tests/support/cli.js";

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly root: string;
  /** The server process (its jobs' workers are its children). */
  readonly pid: number;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

export async function startServer(
  root: string,
  opts: { env?: NodeJS.ProcessEnv; readyWithinMs?: number } = {},
): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(repoRoot, "bin", "azaion.js"), "--root", root, "serve", "--port", String(port)],
    {
      cwd: repoRoot,
      env: { ...process.env, OMP_NUM_THREADS: "1", AZAION_TORCH__THREADS: "1", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}/`;
  const gone = exited(child);

  const deadline = Date.now() + (opts.readyWithinMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`azaion serve exited with ${child.exitCode}:\n${log}`);
    try {
      const res = await fetch(url);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`azaion serve did not answer ${url}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    port,
    root,
    pid: child.pid ?? -1,
    output: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await gone;
        clearTimeout(timer);
      }
    },
  };
}
