/** Worker-thread entry: builds batches on request and hands their arrays back without copying. */
import { parentPort, workerData } from "node:worker_threads";
import type { DatasetItem } from "./dataset.js";
import { Pipeline, type BatchJob, type PipelineConfig } from "./pipeline.js";

export interface WorkerInit {
  readonly items: readonly DatasetItem[];
  readonly cfg: PipelineConfig;
}
export type WorkerRequest = { readonly id: number; readonly job: BatchJob };

const port = parentPort;
if (!port) throw new Error("yolo data worker.js runs only as a worker thread");
const init = workerData as WorkerInit;
const pipeline = new Pipeline(init.items, init.cfg);
port.on("message", (req: WorkerRequest) => {
  pipeline.batch(req.job).then(
    (data) =>
      port.postMessage({ id: req.id, data }, [data.images.buffer, data.targets.buffer] as ArrayBuffer[]),
    (err: unknown) =>
      port.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
