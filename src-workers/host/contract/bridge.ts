/**
 * What Electron's preload exposes to the renderer as `window.azaionBridge` (contextBridge). The renderer's
 * Electron client speaks the same request/response and push frames as the WebSocket client, so the main
 * process validates with the same schemas as the web host.
 */
import type { HostEvent } from "./rpc.js";

export type BridgeReply =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

export interface AzaionBridge {
  invoke(method: string, params: unknown): Promise<BridgeReply>;
  /** Host events; returns a function that unsubscribes. */
  onPush(listener: (event: HostEvent) => void): () => void;
  /** Prefix of media URLs ("azaion-media://app"): MEDIA paths are appended to it. */
  readonly mediaBase: string;
  /** The host path of a dropped or chosen File (Electron's webUtils.getPathForFile). */
  pathForFile(file: unknown): string;
}
