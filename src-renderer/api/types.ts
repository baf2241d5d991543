/**
 * The renderer's one way to the engine: the same interface over Electron's bridge and over the browser
 * host's WebSocket. Results are validated with the contract's schemas before a screen sees them.
 */
import type {
  HostEvent,
  MEDIA,
  RpcMethod,
  RpcParams,
  RpcResult,
} from "../../src-workers/host/contract/index.js";

export type MediaPath = (typeof MEDIA)[keyof typeof MEDIA];

export interface AzaionApi {
  readonly host: "electron" | "browser";
  call<M extends RpcMethod>(method: M, params: RpcParams<M>): Promise<RpcResult<M>>;
  /** Host events (job progress, state changes, services); returns a function that unsubscribes. */
  onEvent(listener: (event: HostEvent) => void): () => void;
  /** A URL for an <img> or <video>: MEDIA path + query (the browser host adds its token). */
  mediaUrl(path: MediaPath, params: Record<string, string | number>): string;
  /** Make a dropped or chosen File reachable by the host; returns its host path. */
  upload(file: File, onProgress?: (sent: number, total: number) => void): Promise<string>;
  /** "connected" | "reconnecting": the browser host's socket state (Electron is always connected). */
  onConnection(listener: (state: "connected" | "reconnecting") => void): () => void;
}

/** A failed call, with the host's error code ("usage", "not_found", "conflict", "data", ...). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}
