/**
 * The subset of onnx/onnx's onnx.proto (proto2, package onnx) that an exported model needs, with the
 * official field numbers (checked against onnx/onnx's onnx/onnx.proto), encoded and decoded with
 * protobufjs. Fields we never write are left out; a decoder skips unknown fields, so files written by
 * other tools still decode here.
 */
import protobuf from "protobufjs";

export const ONNX_PROTO = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; SPARSE_TENSOR = 11;
    TYPE_PROTO = 13; FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
    SPARSE_TENSORS = 12; TYPE_PROTOS = 14;
  }
  optional string name = 1;
  optional string ref_attr_name = 21;
  optional string doc_string = 13;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6; INT64 = 7;
    STRING = 8; BOOL = 9; FLOAT16 = 10; DOUBLE = 11; UINT32 = 12; UINT64 = 13; COMPLEX64 = 14;
    COMPLEX128 = 15; BFLOAT16 = 16;
  }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional string doc_string = 12;
  optional bytes raw_data = 9;
  repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true];
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  optional string denotation = 6;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
`;

/** TensorProto.DataType values we use. */
export const DataType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values we use. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: DataTypeCode;
  rawData: Uint8Array;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  /** Operator set domain; absent: the default ONNX domain. */
  domain?: string;
  attribute: AttributeProto[];
}

/** A dimension: a fixed size or a named symbolic one ("batch"). */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: DataTypeCode;
  shape: readonly Dim[];
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfo[];
  output: ValueInfo[];
}

export interface ModelProto {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: GraphProto;
  metadata: ReadonlyArray<readonly [string, string]>;
  /** Operator sets besides the default domain's (com.microsoft for contrib ops). */
  extraOpsets?: readonly { domain: string; version: number }[];
}

let root: protobuf.Root | null = null;
function modelType(): protobuf.Type {
  root ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
  return root.lookupType("onnx.ModelProto");
}

function valueInfo(v: ValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensor_type: {
        elem_type: v.elemType,
        shape: { dim: v.shape.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

function tensor(t: TensorProto): Record<string, unknown> {
  return { name: t.name, dims: t.dims, data_type: t.dataType, raw_data: t.rawData };
}

/** Serialise a model to the bytes of a .onnx file. */
export function encodeModel(m: ModelProto): Uint8Array {
  const type = modelType();
  const g = m.graph;
  const message = type.fromObject({
    ir_version: m.irVersion,
    opset_import: [{ domain: "", version: m.opsetVersion }, ...(m.extraOpsets ?? [])],
    producer_name: m.producerName,
    producer_version: m.producerVersion,
    doc_string: m.docString,
    graph: {
      name: g.name,
      node: g.node.map((n) => ({
        input: n.input,
        output: n.output,
        name: n.name,
        op_type: n.opType,
        ...(n.domain === undefined ? {} : { domain: n.domain }),
        attribute: n.attribute.map((a) => ({ ...a, ...(a.t ? { t: tensor(a.t) } : {}) })),
      })),
      initializer: g.initializer.map(tensor),
      input: g.input.map(valueInfo),
      output: g.output.map(valueInfo),
    },
    metadata_props: m.metadata.map(([key, value]) => ({ key, value })),
  });
  return type.encode(message).finish();
}

/** What tests and tools read back from a .onnx file: opset, metadata, graph inputs/outputs, op counts. */
export interface DecodedModel {
  readonly irVersion: number;
  readonly opset: number;
  readonly producer: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly opsets: readonly { domain: string; version: number }[];
  readonly inputs: readonly DecodedValue[];
  readonly outputs: readonly DecodedValue[];
  readonly ops: Readonly<Record<string, number>>;
  readonly nodes: readonly DecodedNode[];
  readonly initializers: number;
}

export interface DecodedValue {
  readonly name: string;
  /** TensorProto.DataType code (0 when the file does not say). */
  readonly elemType: number;
  readonly shape: Dim[];
}

/** A node with its int and string attributes (the others are left out). */
export interface DecodedNode {
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, number | string>>;
}

interface RawDim {
  dim_value?: number;
  dim_param?: string;
}
interface RawValueInfo {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: RawDim[] } } };
}
interface RawNode {
  op_type: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: { name: string; i?: number; s?: Uint8Array }[];
}
interface RawModel {
  ir_version?: number;
  producer_name?: string;
  opset_import?: { domain?: string; version?: number }[];
  metadata_props?: { key: string; value: string }[];
  graph?: {
    node?: RawNode[];
    initializer?: unknown[];
    input?: RawValueInfo[];
    output?: RawValueInfo[];
  };
}

export function decodeModel(bytes: Uint8Array): DecodedModel {
  const type = modelType();
  const raw = type.toObject(type.decode(bytes), { longs: Number, defaults: false }) as RawModel;
  const shape = (v: RawValueInfo): Dim[] =>
    (v.type?.tensor_type?.shape?.dim ?? []).map((d) => d.dim_param ?? d.dim_value ?? "?");
  const ops: Record<string, number> = {};
  for (const n of raw.graph?.node ?? []) ops[n.op_type] = (ops[n.op_type] ?? 0) + 1;
  const value = (v: RawValueInfo): DecodedValue => ({
    name: v.name,
    elemType: v.type?.tensor_type?.elem_type ?? 0,
    shape: shape(v),
  });
  const attributes = (n: RawNode): Record<string, number | string> =>
    Object.fromEntries(
      (n.attribute ?? []).flatMap((a): [string, number | string][] =>
        a.i !== undefined
          ? [[a.name, a.i]]
          : a.s !== undefined
            ? [[a.name, Buffer.from(a.s).toString("utf8")]]
            : [],
      ),
    );
  return {
    irVersion: raw.ir_version ?? 0,
    opset: (raw.opset_import ?? []).find((o) => (o.domain ?? "") === "")?.version ?? 0,
    producer: raw.producer_name ?? "",
    metadata: Object.fromEntries((raw.metadata_props ?? []).map((p) => [p.key, p.value])),
    opsets: (raw.opset_import ?? []).map((o) => ({ domain: o.domain ?? "", version: o.version ?? 0 })),
    inputs: (raw.graph?.input ?? []).map(value),
    outputs: (raw.graph?.output ?? []).map(value),
    ops,
    nodes: (raw.graph?.node ?? []).map((n) => ({
      opType: n.op_type,
      domain: n.domain ?? "",
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attributes: attributes(n),
    })),
    initializers: raw.graph?.initializer?.length ?? 0,
  };
}
