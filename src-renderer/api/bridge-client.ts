/** The Electron client: the preload's `window.azaionBridge` (contract/bridge.ts), same checks as the socket. */
import {
  mediaQuery,
  type AzaionBridge,
  type HostEvent,
  type RpcMethod,
  type RpcParams,
  type RpcResult,
} from "../../src-workers/host/contract/index.js";
import { ApiError, type AzaionApi, type MediaPath } from "./types.js";
import { checkEvent, checkParams, checkResult } from "./validate.js";

export class BridgeApi implements AzaionApi {
  readonly host = "electron" as const;

  constructor(private readonly bridge: AzaionBridge) {}

  async call<M extends RpcMethod>(method: M, params: RpcParams<M>): Promise<RpcResult<M>> {
    const reply = await this.bridge.invoke(method, checkParams(method, params));
    if (!reply.ok) throw new ApiError(reply.error.code, reply.error.message);
    return checkResult(method, reply.result);
  }

  onEvent(listener: (event: HostEvent) => void): () => void {
    return this.bridge.onPush((raw) => {
      const event = checkEvent(raw);
      if (event) listener(event);
    });
  }

  onConnection(listener: (state: "connected" | "reconnecting") => void): () => void {
    // The main process is always there while this window is.
    listener("connected");
    return () => undefined;
  }

  mediaUrl(path: MediaPath, params: Record<string, string | number>): string {
    return `${this.bridge.mediaBase}${path}?${mediaQuery(params)}`;
  }

  upload(file: File): Promise<string> {
    // A dropped or chosen file is already on this machine: the host reads it where it is.
    const path = this.bridge.pathForFile(file);
    if (!path)
      return Promise.reject(new ApiError("bad_request", `${file.name} is not a file on this computer.`));
    return Promise.resolve(path);
  }
}
