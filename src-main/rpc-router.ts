/**
 * The IPC router: one `ipcMain.handle(IPC.invoke)` for every method of the contract. A call is
 * accepted only from a frame showing the app itself; the host API object (the one `azaion serve`
 * answers WebSocket calls with) validates params with rpcMethods and results on the way out, and
 * never throws: errors come back as { ok: false, error: { code, message } }.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from "electron";
import type { BridgeReply } from "../src-workers/host/contract/bridge.js";
import type { HostEvent } from "../src-workers/host/contract/rpc.js";
import { isAppUrl } from "./csp.js";
import { IPC } from "./ipc-channels.js";

/** What the router needs of the host API object (src-workers/host/api/host-api.ts). */
export interface RpcTarget {
  invoke(method: string, params: unknown): Promise<BridgeReply>;
}

export function routeInvoke(
  target: RpcTarget,
  senderUrl: string,
  method: unknown,
  params: unknown,
): Promise<BridgeReply> {
  if (!isAppUrl(senderUrl))
    return Promise.resolve({
      ok: false,
      error: {
        code: "unauthorised",
        message: `calls are accepted from the app only, not ${senderUrl || "an unknown frame"}`,
      },
    });
  if (typeof method !== "string")
    return Promise.resolve({ ok: false, error: { code: "bad_request", message: "method must be a string" } });
  return target.invoke(method, params);
}

/** Installs the router; returns a function that removes it. */
export function installRpcRouter(ipcMain: IpcMain, target: RpcTarget): () => void {
  ipcMain.handle(IPC.invoke, (event: IpcMainInvokeEvent, method: unknown, params: unknown) =>
    routeInvoke(target, event.senderFrame?.url ?? "", method, params),
  );
  return () => ipcMain.removeHandler(IPC.invoke);
}

/**
 * Host events to every app window. Job events of a job whose worker has a port to the renderer
 * arrive there directly (preload.cts), so they are not sent a second time here.
 */
export function pushToWindows(
  windows: () => readonly WebContents[],
  hasDirectPort: (jobId: string) => boolean,
): (event: HostEvent) => void {
  return (event) => {
    if (event.event === "job.event" && hasDirectPort(event.jobId)) return;
    for (const wc of windows()) if (!wc.isDestroyed() && isAppUrl(wc.getURL())) wc.send(IPC.push, event);
  };
}
