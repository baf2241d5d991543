/**
 * The Electron launcher's own logic, with stand-ins for utilityProcess, MessageChannelMain and the
 * window's WebContents (Electron's binary cannot run here): the worker is forked through the utility
 * entry with the job's entry named in its env, its port travels with the first message only, the
 * renderer gets the other end labelled with the job id until it navigates, and output and exit reach
 * the job manager.
 */
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import type { ForkOptions, MessageChannelMain, WebContents } from "electron";
import { describe, expect, it } from "vitest";
import { IPC, WORKER_ENTRY_ENV } from "./ipc-channels.js";
import { ElectronWorkerLauncher } from "./worker-launcher.js";

class StandInProcess extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly pid = 4242;
  readonly posted: { msg: unknown; transfer: unknown[] }[] = [];
  killed = false;
  postMessage(msg: unknown, transfer: unknown[] = []): void {
    this.posted.push({ msg, transfer });
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

class StandInPort {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

class StandInContents extends EventEmitter {
  readonly posted: { channel: string; msg: unknown; ports: unknown[] }[] = [];
  isDestroyed(): boolean {
    return false;
  }
  postMessage(channel: string, msg: unknown, ports: unknown[]): void {
    this.posted.push({ channel, msg, ports });
  }
}

function setup() {
  const forks: { modulePath: string; options: ForkOptions; child: StandInProcess }[] = [];
  const ports: StandInPort[] = [];
  const contents = new StandInContents();
  const launcher = new ElectronWorkerLauncher({
    utilityEntry: "/app/dist/src-main/utility-worker.js",
    fork: (modulePath, _args, options) => {
      const child = new StandInProcess();
      forks.push({ modulePath, options, child });
      return child;
    },
    channel: () => {
      const [port1, port2] = [new StandInPort(), new StandInPort()];
      ports.push(port1, port2);
      return { port1, port2 } as unknown as MessageChannelMain;
    },
    renderer: () => contents as unknown as WebContents,
  });
  return { launcher, forks, ports, contents };
}

describe("ElectronWorkerLauncher", () => {
  it("forks the utility entry with the job's worker named, and pairs it with the renderer by a port", () => {
    const { launcher, forks, ports, contents } = setup();
    const h = launcher.start("/app/dist/src-workers/host/worker-main.js", { cwd: "/data", jobId: "job-1" });
    expect(forks).toHaveLength(1);
    const { modulePath, options, child } = forks[0]!;
    expect(modulePath).toBe("/app/dist/src-main/utility-worker.js");
    expect((options.env as Record<string, string> | undefined)?.[WORKER_ENTRY_ENV]).toBe(
      "/app/dist/src-workers/host/worker-main.js",
    );
    expect(options.cwd).toBe("/data");
    expect(h.pid).toBe(4242);
    expect(contents.posted).toEqual([
      { channel: IPC.workerPort, msg: { jobId: "job-1" }, ports: [ports[1]] },
    ]);
    expect(launcher.hasDirectPort("job-1")).toBe(true);

    h.send({ type: "run", argv: ["train"] });
    h.send({ type: "stop" });
    expect(child.posted).toEqual([
      { msg: { type: "run", argv: ["train"] }, transfer: [ports[0]] },
      { msg: { type: "stop" }, transfer: [] },
    ]);

    // A reload drops the page's port: main pushes this job's events again.
    contents.emit("did-start-navigation");
    expect(launcher.hasDirectPort("job-1")).toBe(false);
  });

  it("passes on messages, output lines and the exit, and kills only a live worker", async () => {
    const { launcher, forks, ports } = setup();
    const h = launcher.start("/w.js", { jobId: "job-2" });
    const child = forks[0]!.child;
    const messages: unknown[] = [];
    const lines: string[] = [];
    const exits: [number | null, string | null][] = [];
    h.onMessage((m) => messages.push(m));
    h.onOutput?.((stream, line) => lines.push(`${stream}:${line}`));
    h.onExit((code, signal) => exits.push([code, signal]));
    child.emit("message", { type: "ready" });
    child.stdout.write("epoch 1\nepoch");
    child.stdout.write(" 2\n");
    child.stderr.write("warning\n");
    await new Promise((r) => setImmediate(r));
    h.kill();
    expect(child.killed).toBe(true);
    child.emit("exit", 9);
    expect(messages).toEqual([{ type: "ready" }]);
    expect(lines).toEqual(["stdout:epoch 1", "stdout:epoch 2", "stderr:warning"]);
    expect(exits).toEqual([[9, null]]);
    expect(ports[0]!.closed).toBe(true);
    expect(launcher.hasDirectPort("job-2")).toBe(false);
    child.killed = false;
    h.kill();
    h.send({ type: "stop" });
    expect(child.killed).toBe(false);
    expect(child.posted).toEqual([]);
  });

  it("without a job id or a window, closes the renderer's end and relies on main's pushes", () => {
    const { launcher, ports, contents } = setup();
    launcher.start("/w.js", {});
    expect(contents.posted).toEqual([]);
    expect(ports[1]!.closed).toBe(true);
  });
});
