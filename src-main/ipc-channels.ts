/**
 * The IPC channel names between the main process and the preload. preload.cts repeats them (a
 * sandboxed preload can require nothing but Electron), and ipc-channels.test.ts checks both agree.
 */
export const IPC = {
  /** ipcRenderer.invoke(INVOKE, method, params) -> BridgeReply. */
  invoke: "azaion:invoke",
  /** main -> renderer: one HostEvent. */
  push: "azaion:push",
  /** main -> renderer: { jobId } with a MessagePort carrying that job's worker events. */
  workerPort: "azaion:worker-port",
} as const;

/** The app's origin as the preload reports it to the renderer (contract/bridge.ts mediaBase). */
export const MEDIA_BASE = "azaion-media://app";

/** The env variable naming the worker entry a utility process loads (utility-worker.ts). */
export const WORKER_ENTRY_ENV = "AZAION_WORKER_ENTRY";
