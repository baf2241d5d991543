/**
 * The preload: exposes `window.azaionBridge` (src-workers/host/contract/bridge.ts) to the renderer
 * through contextBridge, and nothing else of Electron or Node. It runs sandboxed, where `require`
 * knows only "electron", so it is self-contained: the channel names repeat src-main/ipc-channels.ts
 * (a test compares them). Params and results are validated with the contract's zod schemas by the
 * main process (params) and by the renderer's client (results); this file only carries frames.
 *
 * Each worker's events also arrive on a MessagePort of their own (the worker posts to it directly):
 * the preload turns them into the same `job.event` pushes the web host sends, so the renderer has one
 * event stream whichever way an event came.
 */
// A CommonJS file (sandboxed preloads cannot be ES modules): TypeScript's form of require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require("electron");
import type { IpcRendererEvent } from "electron";
import type { JobEvent } from "../src-workers/host/contract/jobs.js";
import type { AzaionBridge, BridgeReply } from "../src-workers/host/contract/bridge.js";
import type { HostEvent } from "../src-workers/host/contract/rpc.js";

const { contextBridge, ipcRenderer, webUtils } = electron;
const INVOKE = "azaion:invoke";
const PUSH = "azaion:push";
const WORKER_PORT = "azaion:worker-port";
const MEDIA_BASE = "azaion-media://app";

type Listener = (event: HostEvent) => void;
/** The renderer's end of a worker's MessageChannelMain (a DOM MessagePort). */
interface WorkerPort {
  onmessage: ((m: { data: unknown }) => void) | null;
  start(): void;
}
const listeners = new Set<Listener>();

function emit(event: HostEvent): void {
  for (const l of [...listeners]) {
    try {
      l(event);
    } catch (e) {
      console.error("azaionBridge listener failed:", e);
    }
  }
}

ipcRenderer.on(PUSH, (_e: IpcRendererEvent, event: HostEvent) => emit(event));

ipcRenderer.on(WORKER_PORT, (e: IpcRendererEvent, info: { jobId?: unknown }) => {
  const port = e.ports[0] as unknown as WorkerPort | undefined;
  const jobId = info?.jobId;
  if (port === undefined || typeof jobId !== "string") return;
  port.onmessage = (m) => {
    const msg = m.data as { type?: unknown; event?: unknown } | null;
    // Worker frames (contract/worker.ts fromWorker): only events go to the renderer; the main process
    // tracks ready/exit and pushes the job's state itself.
    if (msg !== null && typeof msg === "object" && msg.type === "event" && msg.event !== undefined)
      emit({ event: "job.event", jobId, data: msg.event as JobEvent });
  };
  port.start();
});

const bridge: AzaionBridge = {
  invoke: (method: string, params: unknown): Promise<BridgeReply> =>
    typeof method === "string"
      ? (ipcRenderer.invoke(INVOKE, method, params) as Promise<BridgeReply>)
      : Promise.resolve({ ok: false, error: { code: "bad_request", message: "method must be a string" } }),
  onPush(listener: Listener) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
  mediaBase: MEDIA_BASE,
  pathForFile(file: unknown): string {
    return webUtils.getPathForFile(file as File);
  },
};

contextBridge.exposeInMainWorld("azaionBridge", bridge);
