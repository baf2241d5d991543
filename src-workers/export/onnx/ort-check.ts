/**
 * A written ONNX model loaded and run by ONNX Runtime (CPU) once, on one grey image: proves the file
 * parses, every operator is known and the outputs have the declared shapes, before anyone ships it.
 */
import * as ort from "onnxruntime-node";
import { AzaionError } from "../../core/errors.js";
import type { ValueInfo } from "./schema.js";

export interface OrtCheck {
  readonly ms: number;
  readonly outputs: Record<string, number[]>;
}

export async function checkWithOrt(
  file: string,
  imgsz: number,
  expected: readonly ValueInfo[],
  threads = 1,
): Promise<OrtCheck> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  } catch (err) {
    throw new AzaionError(
      `${file}: ONNX Runtime cannot load the exported model: ${(err as Error).message}`,
      "E_EXPORT",
    );
  }
  try {
    const x = new ort.Tensor("float32", new Float32Array(3 * imgsz * imgsz).fill(114 / 255), [
      1,
      3,
      imgsz,
      imgsz,
    ]);
    const t0 = performance.now();
    const r = await session.run({ images: x });
    const ms = performance.now() - t0;
    const outputs: Record<string, number[]> = {};
    for (const e of expected) {
      const o = r[e.name];
      const want = e.shape.map((d) => (typeof d === "number" ? d : 1));
      if (!o || o.dims.join(",") !== want.join(","))
        throw new AzaionError(
          `${file}: output ${e.name} has shape [${o?.dims.join(", ") ?? "missing"}], expected [${want.join(", ")}]`,
          "E_EXPORT",
        );
      outputs[e.name] = [...o.dims];
    }
    return { ms, outputs };
  } finally {
    await session.release();
  }
}
