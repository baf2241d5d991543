/** Worker-thread entry: processes one source per request with the variant module named in workerData. */
import { parentPort, workerData } from "node:worker_threads";
import { classCatalog } from "../core/classes.js";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./pool.js";
import { loadVariant } from "./pool.js";
import { processSafely } from "./processor.js";
import { augmentPaths } from "./state.js";

const port = parentPort;
if (!port) throw new Error("augment worker.js runs only as a worker thread");
const init = workerData as WorkerInit;
const paths = augmentPaths(init.out);
const catalog = classCatalog();
const variant = loadVariant(init.variantModule);

port.on("message", (req: WorkerRequest) => {
  void (async () => {
    let reply: WorkerReply;
    try {
      reply = { id: req.id, result: await processSafely(req.job, await variant, paths, catalog) };
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      reply = { id: req.id, result: { kind: "failed", stem: req.job.stem, file: req.job.imagePath, reason } };
    }
    port.postMessage(reply);
  })();
});
