/**
 * The side of the engine that owns the ONNX Runtime session: runs a batch and post-processes it.
 * It lives in a worker thread (engine-worker.ts), because onnxruntime-node's run() blocks the
 * thread that calls it; there, decoding and letterboxing of the next batch go on meanwhile.
 */
import { performance } from "node:perf_hooks";
import * as ort from "onnxruntime-node";
import type { DetectionRows } from "./nms.js";
import { openSession, type OpenedSession, type SessionRequest, type ValueSpec } from "./session.js";
import { postprocess, type PostOptions } from "./postprocess.js";

export interface EngineDescription {
  readonly device: OpenedSession["device"];
  readonly notes: readonly string[];
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
}

export interface BatchRequest {
  /** (batch, 3, H, W) float32; may be longer than needed (a reused buffer). */
  readonly input: Float32Array;
  readonly dims: readonly [number, number, number, number];
  /** Images of the batch that are real (the rest pads a fixed-batch model). */
  readonly images: number;
  readonly post: PostOptions;
}

export interface BatchReply {
  readonly detections: DetectionRows[];
  readonly inferMs: number;
  readonly postMs: number;
}

export class EngineHost {
  private constructor(
    private readonly opened: OpenedSession,
    private readonly outputName: string,
  ) {}

  static async open(req: SessionRequest): Promise<EngineHost> {
    const opened = await openSession(req);
    // Our NMS export names its boxes "detections"; every other layout has its boxes first.
    const out = opened.outputs.find((o) => o.name === "detections") ?? opened.outputs[0];
    if (opened.inputs.length !== 1 || out === undefined) {
      await opened.session.release();
      throw new Error(
        `expected a detector with one image input and an output, got inputs [${opened.inputs.map((i) => i.name).join(", ")}]`,
      );
    }
    return new EngineHost(opened, out.name);
  }

  describe(): EngineDescription {
    const { device, notes, inputs, outputs } = this.opened;
    return { device, notes, inputs, outputs };
  }

  async run(req: BatchRequest): Promise<BatchReply> {
    const [b, c, h, w] = req.dims;
    const t0 = performance.now();
    const tensor = new ort.Tensor("float32", req.input.subarray(0, b * c * h * w), [b, c, h, w]);
    const inputName = this.opened.inputs[0]!.name;
    const out = (await this.opened.session.run({ [inputName]: tensor }, [this.outputName]))[this.outputName];
    tensor.dispose();
    if (!out || out.type !== "float32")
      throw new Error(`model output ${this.outputName} is ${out?.type ?? "missing"}, expected float32`);
    const t1 = performance.now();
    const detections = postprocess({ data: out.data as Float32Array, dims: out.dims }, req.images, req.post);
    out.dispose();
    return { detections, inferMs: t1 - t0, postMs: performance.now() - t1 };
  }

  async close(): Promise<void> {
    await this.opened.session.release();
  }
}
