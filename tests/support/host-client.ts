/** A test client of the web host: the RPC over a real WebSocket, with the pushed events recorded. */
import WebSocket from "ws";
import type { HostEvent, RpcMethod, RpcResult } from "../../src-workers/host/contract/index.js";

export interface ErrorReply {
  readonly code: string;
  readonly message: string;
}

export class HostClient {
  readonly pushes: HostEvent[] = [];
  private next = 1;
  private readonly pending = new Map<
    number,
    (f: { ok: boolean; result?: unknown; error?: ErrorReply }) => void
  >();
  private readonly waiters: { test: (e: HostEvent) => boolean; resolve: (e: HostEvent) => void }[] = [];
  /** Frames that answered no request (bad frames get answers with id 0). */
  readonly stray: unknown[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      const f = JSON.parse(data.toString("utf8")) as {
        id?: number;
        ok?: boolean;
        push?: HostEvent;
        result?: unknown;
        error?: ErrorReply;
      };
      if (f.push) {
        this.pushes.push(f.push);
        for (const w of [...this.waiters])
          if (w.test(f.push)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(f.push);
          }
        return;
      }
      const p = f.id === undefined ? undefined : this.pending.get(f.id);
      if (p) {
        this.pending.delete(f.id!);
        p({ ok: f.ok === true, result: f.result, ...(f.error ? { error: f.error } : {}) });
      } else this.stray.push(f);
    });
  }

  static connect(url: string, o: { headers?: Record<string, string> } = {}): Promise<HostClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { ...(o.headers ? { headers: o.headers } : {}) });
      ws.once("open", () => resolve(new HostClient(ws)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** A method's answer: the result, or the error. */
  raw(method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: ErrorReply }> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async call<M extends RpcMethod>(method: M, params: unknown = {}): Promise<RpcResult<M>> {
    const r = await this.raw(method, params);
    if (!r.ok) throw new Error(`${method}: ${r.error?.code}: ${r.error?.message}`);
    return r.result as RpcResult<M>;
  }

  async error(method: string, params: unknown = {}): Promise<ErrorReply> {
    const r = await this.raw(method, params);
    if (r.ok) throw new Error(`${method} answered ok, expected an error`);
    return r.error!;
  }

  /** The first push (already received or to come) that passes `test`. */
  waitFor<E extends HostEvent>(test: (e: HostEvent) => e is E, timeoutMs?: number): Promise<E>;
  waitFor(test: (e: HostEvent) => boolean, timeoutMs?: number): Promise<HostEvent>;
  waitFor(test: (e: HostEvent) => boolean, timeoutMs = 120_000): Promise<HostEvent> {
    const seen = this.pushes.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { test, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error(`no matching push within ${timeoutMs} ms`));
        }
      }, timeoutMs).unref();
    });
  }

  close(): void {
    this.ws.close();
  }
}
