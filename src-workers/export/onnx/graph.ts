/**
 * GraphBuilder: collects ONNX nodes and initializers while the emitters walk the model. Values are
 * named by the module path that made them ("model.2.m.0.cv1/Conv"), initializers by their PyTorch
 * state-dict key, so a graph viewer shows the same names as the checkpoint.
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import {
  AttributeType,
  DataType,
  type AttributeProto,
  type DataTypeCode,
  type NodeProto,
  type TensorProto,
} from "./schema.js";

export type Attr =
  | { readonly kind: "int"; readonly v: number }
  | { readonly kind: "ints"; readonly v: readonly number[] }
  | { readonly kind: "float"; readonly v: number }
  | { readonly kind: "string"; readonly v: string }
  | { readonly kind: "tensor"; readonly v: TensorProto };

export const int = (v: number): Attr => ({ kind: "int", v });
export const ints = (v: readonly number[]): Attr => ({ kind: "ints", v });
export const float = (v: number): Attr => ({ kind: "float", v });
export const str = (v: string): Attr => ({ kind: "string", v });
export const tensorAttr = (v: TensorProto): Attr => ({ kind: "tensor", v });

function attribute(name: string, a: Attr): AttributeProto {
  switch (a.kind) {
    case "int":
      return { name, type: AttributeType.INT, i: a.v };
    case "ints":
      return { name, type: AttributeType.INTS, ints: [...a.v] };
    case "float":
      return { name, type: AttributeType.FLOAT, f: a.v };
    case "string":
      return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.v) };
    case "tensor":
      return { name, type: AttributeType.TENSOR, t: a.v };
  }
}

function bytesOf(data: Float32Array | BigInt64Array | Uint8Array): Uint8Array {
  // Little-endian raw data, as onnx.proto requires (every platform Node runs on is little-endian).
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

export function tensorProto(
  name: string,
  dims: readonly number[],
  dataType: DataTypeCode,
  data: Float32Array | BigInt64Array | Uint8Array,
): TensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  if (data.length !== n)
    throw new RangeError(`${name}: ${data.length} values for shape [${dims.join(", ")}]`);
  return { name, dims: [...dims], dataType, rawData: bytesOf(data) };
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();

  /** A name not used yet: `base`, else `base_2`, `base_3`, ... */
  unique(base: string): string {
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** A float32 initializer. */
  floats(name: string, data: Float32Array | readonly number[], dims: readonly number[]): string {
    const n = this.unique(name);
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    this.initializers.push(tensorProto(n, dims, DataType.FLOAT, arr));
    return n;
  }

  /** An int64 initializer (shapes, axes, indices); a 1-D list unless dims say otherwise. */
  int64s(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const n = this.unique(name);
    this.initializers.push(tensorProto(n, dims, DataType.INT64, BigInt64Array.from(values.map(BigInt))));
    return n;
  }

  /** A scalar (rank 0) float or int64 initializer. */
  scalar(name: string, v: number, type: "float" | "int64" = "float"): string {
    return type === "float" ? this.floats(name, [v], []) : this.int64s(name, [v], []);
  }

  /** A model tensor as a float32 initializer (copied to CPU; the model keeps its own). */
  weight(name: string, t: Tensor): string {
    const data = torch.tidy(() => {
      const d = t.detach().to("float32", "cpu").contiguous().data();
      return Float32Array.from(d as Float32Array);
    });
    return this.floats(name, data, t.shape);
  }

  /** Add a node; returns its outputs' names (`outputs` of them). */
  nodeN(
    opType: string,
    scope: string,
    inputs: readonly string[],
    outputs: number,
    attrs: Readonly<Record<string, Attr>> = {},
  ): string[] {
    const name = this.unique(`${scope}/${opType}`);
    const outs = Array.from({ length: outputs }, (_, i) => (i === 0 ? name : this.unique(`${name}:${i}`)));
    this.nodes.push({
      input: [...inputs],
      output: [...outs],
      name,
      opType,
      attribute: Object.entries(attrs).map(([k, a]) => attribute(k, a)),
    });
    return outs;
  }

  /** Expose `value` as the graph output `name` (an Identity node, so the name is the user's). */
  output(value: string, name: string): void {
    this.used.add(name);
    this.nodes.push({
      input: [value],
      output: [name],
      name: `output/${name}`,
      opType: "Identity",
      attribute: [],
    });
  }

  /** Add a node with one output; returns its name. */
  node(
    opType: string,
    scope: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, Attr>> = {},
  ): string {
    return this.nodeN(opType, scope, inputs, 1, attrs)[0]!;
  }
}
