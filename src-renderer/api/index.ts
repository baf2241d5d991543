/** getApi(): the Electron bridge when the preload exposed one, else the browser host's WebSocket. */
import type { AzaionBridge } from "../../src-workers/host/contract/index.js";
import { BridgeApi } from "./bridge-client.js";
import type { AzaionApi } from "./types.js";
import { WsApi } from "./ws-client.js";

export { ApiProvider, useApi } from "./context.js";
export { ApiError, type AzaionApi, type MediaPath } from "./types.js";

let api: AzaionApi | null = null;

export function getApi(): AzaionApi {
  if (api) return api;
  const bridge = (window as Window & { azaionBridge?: AzaionBridge }).azaionBridge;
  api = bridge ? new BridgeApi(bridge) : new WsApi();
  return api;
}
