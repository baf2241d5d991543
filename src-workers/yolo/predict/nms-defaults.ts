/** NMS defaults (Ultralytics' predictor), without libtorch: the ONNX Runtime side reads them too. */
export const NMS_DEFAULTS = {
  conf: 0.25,
  iou: 0.7,
  agnostic: false,
  maxDet: 300,
  maxNms: 30000,
  maxWh: 7680,
  multiLabel: false,
};
