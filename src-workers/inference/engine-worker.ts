/** Worker thread entry of the inference engine: one session, batches in, detections out. */
import { parentPort, workerData } from "node:worker_threads";
import { EngineHost } from "./engine-host.js";
import type { WorkerReply, WorkerRequest } from "./engine.js";
import type { SessionRequest } from "./session.js";

const port = parentPort;
if (!port) throw new Error("engine-worker.js runs as a worker thread only");

const post = (m: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

let host: EngineHost | undefined;
try {
  host = await EngineHost.open(workerData as SessionRequest);
  post({ type: "opened", description: host.describe() });
} catch (err) {
  post({ type: "failed", message: (err as Error).message });
}

port.on("message", (m: WorkerRequest) => {
  if (m.type === "close") {
    void (host?.close() ?? Promise.resolve()).finally(() => port.close());
    return;
  }
  const h = host!;
  h.run(m.batch).then(
    (r) => {
      const transfer = [
        m.batch.input.buffer as ArrayBuffer,
        ...r.detections.map((d) => d.rows.buffer as ArrayBuffer),
      ];
      post({ type: "result", id: m.id, reply: r, input: m.batch.input }, transfer);
    },
    (err: Error) =>
      post({ type: "error", id: m.id, message: err.message, input: m.batch.input }, [
        m.batch.input.buffer as ArrayBuffer,
      ]),
  );
});
