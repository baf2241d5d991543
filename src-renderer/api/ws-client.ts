/**
 * The browser host's client: JSON frames over one WebSocket (`<page base>/ws`), reconnected with
 * backoff. Calls in flight when the socket drops fail (the host may or may not have run them); calls
 * made while it is down wait for the next connection.
 */
import {
  MEDIA,
  mediaQuery,
  wsServerFrameSchema,
  type HostEvent,
  type RpcMethod,
  type RpcParams,
  type RpcResult,
} from "../../src-workers/host/contract/index.js";
import { z } from "zod";
import { readToken } from "./token.js";
import { ApiError, type AzaionApi, type MediaPath } from "./types.js";
import { checkEvent, checkParams, checkResult, Listeners } from "./validate.js";

interface Pending {
  method: RpcMethod;
  resolve: (value: unknown) => void;
  reject: (error: ApiError) => void;
}

type ConnectionState = "connected" | "reconnecting";

const uploadAnswerSchema = z.object({ path: z.string().min(1) });
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5000;

/** A URL under the page's own base, so the app also works behind a reverse proxy at a sub-path. */
function pageUrl(path: string): URL {
  return new URL(path.replace(/^\//, ""), new URL(".", window.location.href));
}

export class WsApi implements AzaionApi {
  readonly host = "browser" as const;
  private socket: WebSocket | null = null;
  private state: ConnectionState = "reconnecting";
  private nextId = 1;
  private attempt = 0;
  private readonly pending = new Map<number, Pending>();
  /** Frames waiting for a connection. */
  private readonly queue: { id: number; frame: string }[] = [];
  private readonly events = new Listeners<HostEvent>();
  private readonly connection = new Listeners<ConnectionState>();
  private readonly token: string | null;

  constructor() {
    this.token = readToken();
    this.connect();
  }

  private withToken(url: URL): URL {
    if (this.token) url.searchParams.set("token", this.token);
    return url;
  }

  private connect(): void {
    const url = this.withToken(pageUrl("ws"));
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setState("connected");
      for (const { frame } of this.queue.splice(0)) socket.send(frame);
    };
    socket.onmessage = (e: MessageEvent) => this.onFrame(e.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending("The connection to the host was lost; the request may or may not have run.");
      this.setState("reconnecting");
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt++);
      setTimeout(() => this.connect(), delay * (0.75 + Math.random() * 0.5));
    };
    // Errors are followed by close, which handles them.
    socket.onerror = () => undefined;
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.connection.emit(state);
  }

  private failPending(message: string): void {
    const waiting = new Set(this.queue.map((q) => q.id));
    const sent = [...this.pending].filter(([id]) => !waiting.has(id));
    for (const [id] of sent) this.pending.delete(id);
    for (const [, p] of sent) p.reject(new ApiError("disconnected", `${p.method}: ${message}`));
  }

  private onFrame(data: unknown): void {
    if (typeof data !== "string") return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      console.warn("Ignored a host frame that is not JSON");
      return;
    }
    const frame = wsServerFrameSchema.safeParse(json);
    if (!frame.success) {
      // A push the contract does not know yet, or a broken frame: never let it break the page.
      const event = (json as { push?: unknown } | null)?.push;
      if (event !== undefined) checkEvent(event);
      else console.warn("Ignored a host frame that does not match the contract");
      return;
    }
    const f = frame.data;
    if ("push" in f) {
      this.events.emit(f.push);
      return;
    }
    const call = this.pending.get(f.id);
    if (!call) return;
    this.pending.delete(f.id);
    if (f.ok) {
      try {
        call.resolve(checkResult(call.method, f.result));
      } catch (e) {
        call.reject(e as ApiError);
      }
    } else {
      call.reject(new ApiError(f.error.code, f.error.message));
    }
  }

  call<M extends RpcMethod>(method: M, params: RpcParams<M>): Promise<RpcResult<M>> {
    return new Promise<RpcResult<M>>((resolve, reject) => {
      const checked = checkParams(method, params);
      const id = this.nextId++;
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      const frame = JSON.stringify({ id, method, params: checked });
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(frame);
      else this.queue.push({ id, frame });
    });
  }

  onEvent(listener: (event: HostEvent) => void): () => void {
    return this.events.add(listener);
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    listener(this.state);
    return this.connection.add(listener);
  }

  mediaUrl(path: MediaPath, params: Record<string, string | number>): string {
    const url = this.withToken(pageUrl(`${path}?${mediaQuery(params)}`));
    return url.toString();
  }

  upload(file: File, onProgress?: (sent: number, total: number) => void): Promise<string> {
    const url = this.mediaUrl(MEDIA.upload, { name: file.name });
    return new Promise<string>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onerror = () =>
        reject(new ApiError("disconnected", `Upload of ${file.name} failed: no connection.`));
      xhr.onload = () => {
        let body: unknown;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = undefined;
        }
        if (xhr.status < 200 || xhr.status >= 300) {
          const err = body as { error?: { code?: string; message?: string }; message?: string } | undefined;
          const message = err?.error?.message ?? err?.message ?? (xhr.responseText || xhr.statusText);
          reject(new ApiError(err?.error?.code ?? "internal", `Upload of ${file.name} failed: ${message}`));
          return;
        }
        const answer = uploadAnswerSchema.safeParse(body);
        if (!answer.success)
          reject(new ApiError("internal", `Upload of ${file.name}: the host's answer has no path.`));
        else resolve(answer.data.path);
      };
      xhr.send(file);
    });
  }
}
