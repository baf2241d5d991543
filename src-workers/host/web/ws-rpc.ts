/**
 * The RPC over WebSocket: request frames {id, method, params} answered with {id, ok, result|error},
 * host events pushed as {push}. A frame that is not JSON or not a request gets an error frame; the
 * connection and the server go on.
 */
import type { WebSocket } from "ws";
import type { HostApi } from "../api/host-api.js";
import { wsRequestSchema, type WsServerFrame } from "../contract/rpc.js";

/** A client this far behind gets no more pushes until it catches up (requests are still answered). */
const PUSH_BACKLOG_BYTES = 8 * 1024 * 1024;
/** Largest request frame. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export function serveRpc(ws: WebSocket, api: HostApi): void {
  const send = (f: WsServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(f));
  };
  const unsubscribe = api.subscribe((push) => {
    if (ws.bufferedAmount < PUSH_BACKLOG_BYTES) send({ push });
  });
  ws.on("close", unsubscribe);
  ws.on("error", () => ws.terminate());
  ws.on("message", (data, isBinary) => {
    if (isBinary) {
      send({ id: 0, ok: false, error: { code: "bad_request", message: "frames are JSON text, not binary" } });
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(
        Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.concat(data as Buffer[]).toString("utf8"),
      );
    } catch (e) {
      send({
        id: 0,
        ok: false,
        error: { code: "bad_request", message: `not JSON: ${(e as Error).message}` },
      });
      return;
    }
    const req = wsRequestSchema.safeParse(raw);
    if (!req.success) {
      const id =
        raw && typeof raw === "object" && Number.isInteger((raw as { id?: unknown }).id)
          ? (raw as { id: number }).id
          : 0;
      send({
        id,
        ok: false,
        error: { code: "bad_request", message: "a request is {id: integer, method: string, params}" },
      });
      return;
    }
    const { id, method, params } = req.data;
    void api
      .invoke(method, params)
      .then((reply) =>
        send(reply.ok ? { id, ok: true, result: reply.result } : { id, ok: false, error: reply.error }),
      );
  });
}
