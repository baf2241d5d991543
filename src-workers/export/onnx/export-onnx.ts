/**
 * ONNX export of a YOLO11 DetectionModel: opset 17, fused Conv+BN weights as initializers, input
 * "images" (batch, 3, imgsz, imgsz) with a dynamic batch dimension named "batch", and either the raw
 * Detect output or NMS inside the graph (see emit-nms.ts). Nothing here runs the model; the graph is
 * the inference one (BatchNorm with its running statistics) whatever mode the model is in.
 */
import type { DetectionModel } from "../../yolo/model/detection-model.js";
import { emitModel } from "./emit-model.js";
import { emitNms, type NmsParams } from "./emit-nms.js";
import { GraphBuilder } from "./graph.js";
import { exportMetadata } from "./metadata.js";
import { DataType, encodeModel, type ValueInfo } from "./schema.js";

export const OPSET = 17;
/** IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
export const IR_VERSION = 8;

export interface OnnxExportOptions {
  /** Square input size; a multiple of the model's largest stride (default 1280). */
  readonly imgsz?: number;
  /** Largest batch the model is meant for (the graph takes any; TensorRT profiles use 1..batchMax). */
  readonly batchMax?: number;
  /** NMS inside the graph (default) or the raw (batch, 4+nc, N) output. */
  readonly nms?: boolean;
  readonly conf?: number;
  readonly iou?: number;
  readonly maxDet?: number;
  readonly maxNms?: number;
  readonly version?: string;
  readonly date?: Date;
  /** Where the weights came from (a path), recorded in the metadata. */
  readonly source?: string;
}

export const ONNX_DEFAULTS = { imgsz: 1280, batchMax: 8, conf: 0.25, iou: 0.7, maxDet: 300, maxNms: 30000 };

export interface OnnxExport {
  readonly bytes: Uint8Array;
  readonly metadata: Record<string, string>;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly nodes: number;
}

export function checkExportOptions(model: DetectionModel, o: OnnxExportOptions): void {
  const imgsz = o.imgsz ?? ONNX_DEFAULTS.imgsz;
  const stride = Math.max(...model.stride);
  if (!Number.isInteger(imgsz) || imgsz < stride || imgsz % stride !== 0)
    throw new RangeError(
      `imgsz ${imgsz} must be a positive multiple of the model's largest stride ${stride}`,
    );
  const batchMax = o.batchMax ?? ONNX_DEFAULTS.batchMax;
  if (!Number.isInteger(batchMax) || batchMax < 1)
    throw new RangeError(`batch ${batchMax} must be a whole number >= 1`);
  const conf = o.conf ?? ONNX_DEFAULTS.conf;
  const iou = o.iou ?? ONNX_DEFAULTS.iou;
  if (!(conf >= 0 && conf <= 1)) throw new RangeError(`conf ${conf} is outside 0-1`);
  if (!(iou >= 0 && iou <= 1)) throw new RangeError(`iou ${iou} is outside 0-1`);
  for (const [k, v] of [
    ["maxDet", o.maxDet ?? ONNX_DEFAULTS.maxDet],
    ["maxNms", o.maxNms ?? ONNX_DEFAULTS.maxNms],
  ] as const)
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} ${v} must be a whole number >= 1`);
}

export function exportOnnx(model: DetectionModel, o: OnnxExportOptions = {}): OnnxExport {
  checkExportOptions(model, o);
  const imgsz = o.imgsz ?? ONNX_DEFAULTS.imgsz;
  const batchMax = o.batchMax ?? ONNX_DEFAULTS.batchMax;
  const nms: NmsParams | null =
    o.nms === false
      ? null
      : {
          conf: o.conf ?? ONNX_DEFAULTS.conf,
          iou: o.iou ?? ONNX_DEFAULTS.iou,
          maxDet: o.maxDet ?? ONNX_DEFAULTS.maxDet,
          maxNms: o.maxNms ?? ONNX_DEFAULTS.maxNms,
        };
  const g = new GraphBuilder();
  const images = g.unique("images");
  const det = emitModel(g, model, images, imgsz);
  const inputs: ValueInfo[] = [{ name: images, elemType: DataType.FLOAT, shape: ["batch", 3, imgsz, imgsz] }];
  let outputs: ValueInfo[];
  if (nms === null) {
    g.output(det.pred, "output0");
    outputs = [{ name: "output0", elemType: DataType.FLOAT, shape: ["batch", 4 + model.nc, det.anchors] }];
  } else {
    const r = emitNms(g, images, det.xywh, det.scores, model.nc, det.anchors, nms);
    g.output(r.detections, "detections");
    g.output(r.count, "num_detections");
    outputs = [
      { name: "detections", elemType: DataType.FLOAT, shape: ["batch", nms.maxDet, 6] },
      { name: "num_detections", elemType: DataType.INT64, shape: ["batch"] },
    ];
  }
  const metadata = exportMetadata({
    scale: model.scale,
    nc: model.nc,
    names: model.names,
    strides: model.stride,
    imgsz,
    batchMin: 1,
    batchMax,
    nms,
    version: o.version ?? "0.0.0",
    date: o.date ?? new Date(),
    ...(o.source === undefined ? {} : { source: o.source }),
  });
  const bytes = encodeModel({
    irVersion: IR_VERSION,
    opsetVersion: OPSET,
    producerName: "azaion-workstation",
    producerVersion: o.version ?? "0.0.0",
    docString: `YOLO11${model.scale} detector, ${model.nc} classes, ${imgsz} px, ${nms ? "NMS inside" : "raw output"}`,
    graph: {
      name: `yolo11${model.scale}`,
      node: g.nodes,
      initializer: g.initializers,
      input: inputs,
      output: outputs,
    },
    metadata,
  });
  return { bytes, metadata: Object.fromEntries(metadata), inputs, outputs, nodes: g.nodes.length };
}
