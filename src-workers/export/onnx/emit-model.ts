/**
 * Walks a DetectionModel's layer table (model.0 ... model.23) as its forward() does and emits each
 * layer with the emitter of its module kind. Spatial sizes follow from imgsz and each layer's stride
 * (imgsz is a multiple of the largest stride), which the attention and Detect emitters need.
 */
import type { DetectionModel } from "../../yolo/model/detection-model.js";
import { PSABlock, Attention } from "../../yolo/nn/attention.js";
import { Bottleneck } from "../../yolo/nn/bottleneck.js";
import { C2PSA } from "../../yolo/nn/c2psa.js";
import { C2f, C3k } from "../../yolo/nn/c3k2.js";
import { Conv } from "../../yolo/nn/conv.js";
import { Detect } from "../../yolo/nn/detect.js";
import { Conv2d } from "../../yolo/nn/layers.js";
import { Concat, Sequential, Upsample } from "../../yolo/nn/misc.js";
import type { Module } from "../../yolo/nn/module.js";
import { SPPF } from "../../yolo/nn/sppf.js";
import type { EmitContext } from "./context.js";
import { emitC2psa } from "./emit-attention.js";
import { emitConv, emitConv2d } from "./emit-conv.js";
import { emitBottleneck, emitC2f, emitC3k } from "./emit-csp.js";
import { emitDetect, type DetectOutputs } from "./emit-detect.js";
import { emitConcat, emitSequential, emitUpsample } from "./emit-misc.js";
import { emitSppf } from "./emit-sppf.js";
import type { GraphBuilder } from "./graph.js";

export class UnsupportedModuleError extends Error {
  constructor(m: Module, scope: string) {
    super(`ONNX export: no emitter for ${m.constructor.name} at ${scope}`);
    this.name = "UnsupportedModuleError";
  }
}

/** Single-input modules that need nothing but their input value. */
function makeContext(g: GraphBuilder): EmitContext {
  const ctx: EmitContext = {
    g,
    emit(m, scope, x) {
      if (m instanceof Conv) return emitConv(ctx, m, scope, x);
      if (m instanceof Conv2d) return emitConv2d(g, m, scope, x);
      if (m instanceof Bottleneck) return emitBottleneck(ctx, m, scope, x);
      if (m instanceof C2f) return emitC2f(ctx, m, scope, x);
      if (m instanceof C3k) return emitC3k(ctx, m, scope, x);
      if (m instanceof SPPF) return emitSppf(ctx, m, scope, x);
      if (m instanceof Sequential) return emitSequential(ctx, m, scope, x);
      if (m instanceof Upsample) return emitUpsample(g, m, scope, x);
      // Attention blocks need their spatial size: only reachable through C2PSA (see emitModel).
      if (m instanceof Attention || m instanceof PSABlock || m instanceof C2PSA)
        throw new UnsupportedModuleError(m, `${scope} (outside a C2PSA layer)`);
      throw new UnsupportedModuleError(m, scope);
    },
  };
  return ctx;
}

/** Emit the whole model on input value `images` of size imgsz x imgsz; returns Detect's outputs. */
export function emitModel(
  g: GraphBuilder,
  model: DetectionModel,
  images: string,
  imgsz: number,
): DetectOutputs {
  const ctx = makeContext(g);
  const values = new Map<number, string>();
  let detect: DetectOutputs | null = null;
  for (const layer of model.layers) {
    const scope = `model.${layer.index}`;
    const inputs = layer.from.map((j) => (j < 0 ? images : values.get(j)!));
    const m = layer.module;
    const x = inputs[0]!;
    const size = (stride: number) => ({ h: imgsz / stride, w: imgsz / stride });
    let out: string;
    if (m instanceof Detect) {
      const sizes = layer.from.map((j) => size(model.layers[j]!.stride));
      detect = emitDetect(ctx, m, scope, inputs, sizes);
      out = detect.pred;
    } else if (m instanceof Concat) {
      out = emitConcat(g, m, scope, inputs);
    } else if (m instanceof C2PSA) {
      out = emitC2psa(ctx, m, scope, x, size(layer.stride));
    } else {
      out = ctx.emit(m, scope, x);
    }
    values.set(layer.index, out);
  }
  if (!detect) throw new Error("ONNX export: the model has no Detect layer");
  return detect;
}
