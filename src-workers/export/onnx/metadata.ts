/**
 * metadata_props of an exported model: what a runtime needs to use it without the weights file
 * (class names, strides, input size, batch range, output layout and NMS settings), plus provenance.
 * Values are strings, as ONNX requires; structured ones are JSON (names as {"0": "..."} like
 * Ultralytics' dict, but JSON rather than a Python repr, so any language parses it).
 */
export interface ExportDescription {
  readonly scale: string;
  readonly nc: number;
  readonly names: readonly string[];
  readonly strides: readonly number[];
  readonly imgsz: number;
  readonly batchMin: number;
  readonly batchMax: number;
  readonly nms: { conf: number; iou: number; maxDet: number; maxNms: number } | null;
  readonly version: string;
  readonly date: Date;
  readonly source?: string;
}

export const PADDING_CONVENTION =
  "detections[b] holds num_detections[b] real rows (by descending score) followed by rows of zeros; " +
  "a real row always has score > conf >= 0, so score 0 marks padding";

export function exportMetadata(d: ExportDescription): [string, string][] {
  const names = Object.fromEntries(d.names.map((n, i) => [String(i), n]));
  const entries: [string, string][] = [
    ["description", `Azaion YOLO11${d.scale} detector (${d.nc} classes)`],
    ["author", "Azaion"],
    ["producer", "azaion-workstation"],
    ["version", d.version],
    ["date", d.date.toISOString()],
    ["task", "detect"],
    ["scale", d.scale],
    ["nc", String(d.nc)],
    ["names", JSON.stringify(names)],
    ["stride", String(Math.max(...d.strides))],
    ["strides", JSON.stringify(d.strides)],
    ["imgsz", JSON.stringify([d.imgsz, d.imgsz])],
    ["batch", String(d.batchMax)],
    ["batch_min", String(d.batchMin)],
    ["batch_max", String(d.batchMax)],
    ["batch_dim", "batch"],
    ["channels", "3"],
    [
      "input",
      "images: float32 (batch, 3, imgsz, imgsz), RGB in [0, 1], letterboxed (aspect kept, padded with 114/255)",
    ],
  ];
  if (d.nms === null) {
    entries.push(
      ["output", "raw"],
      [
        "output_layout",
        "output0: float32 (batch, 4 + nc, anchors): cx cy w h in input pixels, then nc class scores (sigmoid); NMS is up to the caller",
      ],
    );
  } else {
    entries.push(
      ["output", "nms"],
      [
        "output_layout",
        "detections: float32 (batch, max_det, 6): x1 y1 x2 y2 (input pixels) score class; num_detections: int64 (batch)",
      ],
      [
        "nms",
        JSON.stringify({
          conf: d.nms.conf,
          iou: d.nms.iou,
          max_det: d.nms.maxDet,
          max_nms: d.nms.maxNms,
          class_aware: true,
          best_class_only: true,
          score_rule: "score > conf",
          suppress_rule: "IoU > iou with a kept box of the same class",
        }),
      ],
      ["padding", PADDING_CONVENTION],
    );
  }
  if (d.source !== undefined) entries.push(["source", d.source]);
  return entries;
}
