/**
 * A serialized TensorRT engine made loadable by ONNX Runtime's TensorRT provider: an "EPContext
 * wrapper", a one-node ONNX model (op EPContext, domain com.microsoft) whose node names the engine
 * file and whose graph inputs and outputs are the engine's I/O tensors. The provider deserialises
 * the engine instead of building one. The wrapper carries our export metadata as its metadata_props,
 * so the detector reads class names, sizes and the output layout from it as from any exported model.
 */
import { basename } from "node:path";
import {
  AttributeType,
  decodeModel,
  encodeModel,
  type DataTypeCode,
  type ValueInfo,
} from "../export/onnx/schema.js";

/** The contrib-op domain EPContext belongs to. */
export const EP_CONTEXT_DOMAIN = "com.microsoft";
export const EP_CONTEXT_OP = "EPContext";
/** The provider name ONNX Runtime records as an EPContext node's source. */
export const TRT_SOURCE = "TensorrtExecutionProvider";

export interface WrapperSpec {
  /**
   * The engine file, relative to the folder the wrapper is written to: the provider refuses absolute
   * paths and paths that climb out of the model's folder, so the wrapper lives beside its engine.
   */
  readonly engineFile: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly metadata: Readonly<Record<string, string>>;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export function wrapperModel(w: WrapperSpec): Uint8Array {
  if (w.engineFile !== basename(w.engineFile))
    throw new RangeError(`the engine must sit beside its wrapper: ${w.engineFile} is not a bare file name`);
  return encodeModel({
    // IR 8 / opset 17: what our exports use, which every onnxruntime-node we support reads.
    irVersion: 8,
    opsetVersion: 17,
    extraOpsets: [{ domain: EP_CONTEXT_DOMAIN, version: 1 }],
    producerName: "azaion",
    producerVersion: "",
    docString: `TensorRT engine ${w.engineFile} for ONNX Runtime's TensorRT provider`,
    graph: {
      name: "tensorrt_engine",
      node: [
        {
          name: "engine",
          opType: EP_CONTEXT_OP,
          domain: EP_CONTEXT_DOMAIN,
          input: w.inputs.map((v) => v.name),
          output: w.outputs.map((v) => v.name),
          attribute: [
            // 1: the engine bytes inside the model; 0: a file name (no copy of a big engine).
            { name: "embed_mode", type: AttributeType.INT, i: 0 },
            { name: "ep_cache_context", type: AttributeType.STRING, s: text(w.engineFile) },
            { name: "source", type: AttributeType.STRING, s: text(TRT_SOURCE) },
          ],
        },
      ],
      initializer: [],
      input: [...w.inputs],
      output: [...w.outputs],
    },
    metadata: Object.entries(w.metadata),
  });
}

/** The graph inputs and outputs of an ONNX model: the engine built from it has the same tensors. */
export function modelIo(onnx: Uint8Array): { inputs: ValueInfo[]; outputs: ValueInfo[] } {
  const m = decodeModel(onnx);
  const io = (v: (typeof m.inputs)[number]): ValueInfo => {
    if (v.elemType === 0) throw new RangeError(`${v.name} has no element type`);
    return { name: v.name, elemType: v.elemType as DataTypeCode, shape: v.shape };
  };
  return { inputs: m.inputs.map(io), outputs: m.outputs.map(io) };
}

/** The engine file an EPContext wrapper (or a context model ONNX Runtime dumped) points at. */
export function wrappedEngine(model: Uint8Array): string | undefined {
  const node = decodeModel(model).nodes.find((n) => n.opType === EP_CONTEXT_OP);
  const ref = node?.attributes.ep_cache_context;
  return node?.attributes.embed_mode === 0 && typeof ref === "string" ? ref : undefined;
}
