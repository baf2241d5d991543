/**
 * The entry of an Electron utility process that runs a job: puts a thin layer over
 * process.parentPort, then loads the worker (src-workers/host/worker-main.js, named by
 * AZAION_WORKER_ENTRY). The layer takes the MessagePort the main process attaches to the first
 * message (worker-launcher.ts) and posts every job event to it as well, so the renderer holding the
 * other end gets the progress stream straight from the worker; the main process still gets every
 * frame, for the job's state and log. Nothing here imports Electron: a utility process is Node.
 */
import { pathToFileURL } from "node:url";
import { WORKER_ENTRY_ENV } from "./ipc-channels.js";

interface PortLike {
  postMessage(msg: unknown): void;
  start(): void;
}
interface ParentPort {
  postMessage(msg: unknown): void;
  on(event: "message", listener: (e: { data: unknown; ports?: PortLike[] }) => void): unknown;
}

export function mirrorEvents(parent: ParentPort): ParentPort {
  let renderer: PortLike | undefined;
  const layer: ParentPort = {
    postMessage(msg) {
      parent.postMessage(msg);
      if (renderer && (msg as { type?: unknown } | null)?.type === "event") renderer.postMessage(msg);
    },
    on(event, listener) {
      parent.on(event, (e) => {
        const port = e.ports?.[0];
        if (port && !renderer) {
          renderer = port;
          port.start();
        }
        listener(e);
      });
      return layer;
    },
  };
  return layer;
}

const parent = (process as unknown as { parentPort?: ParentPort }).parentPort;
const entry = process.env[WORKER_ENTRY_ENV];
if (parent && entry) {
  const layer = mirrorEvents(parent);
  // Electron sets parentPort as a plain property; define it again, or assign where that is refused.
  try {
    Object.defineProperty(process, "parentPort", { value: layer, configurable: true, writable: true });
  } catch {
    (process as unknown as { parentPort: ParentPort }).parentPort = layer;
  }
  await import(pathToFileURL(entry).href);
}
