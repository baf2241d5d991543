/** Worker-thread entry: makes frames on request and hands their pixels back without copying. */
import { parentPort } from "node:worker_threads";
import { generateSynthImage } from "./scene.js";
import type { FrameReply, FrameRequest } from "./pool.js";

const port = parentPort;
if (!port) throw new Error("synth worker.js runs only as a worker thread");
port.on("message", (req: FrameRequest) => {
  let reply: FrameReply;
  try {
    const img = generateSynthImage(req.seed, req.index, req.size);
    reply = { id: req.id, img };
    port.postMessage(reply, [img.rgb.buffer as ArrayBuffer]);
  } catch (err) {
    reply = { id: req.id, error: err instanceof Error ? err.message : String(err) };
    port.postMessage(reply);
  }
});
