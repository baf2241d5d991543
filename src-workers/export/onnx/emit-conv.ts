/**
 * Conv2d, and Conv/DWConv (conv + BatchNorm + SiLU) as one ONNX Conv with the BatchNorm folded in
 * (Ultralytics' fuse_conv_and_bn; an unfused module is folded here, the model itself is left as it is)
 * followed by SiLU as x * sigmoid(x) (opset 17 has no SiLU operator).
 */
import { fuseConvAndBn, type Conv } from "../../yolo/nn/conv.js";
import type { Conv2d } from "../../yolo/nn/layers.js";
import { sub, type EmitContext } from "./context.js";
import { int, ints, type GraphBuilder } from "./graph.js";

export function emitConv2d(g: GraphBuilder, c: Conv2d, scope: string, x: string): string {
  const k = c.weight.shape[2] ?? 1;
  const inputs = [x, g.weight(sub(scope, "weight"), c.weight)];
  if (c.bias !== null) inputs.push(g.weight(sub(scope, "bias"), c.bias));
  const p = c.padding;
  return g.node("Conv", scope, inputs, {
    kernel_shape: ints([k, k]),
    strides: ints([c.stride, c.stride]),
    pads: ints([p, p, p, p]),
    dilations: ints([c.dilation, c.dilation]),
    group: int(c.groups),
  });
}

export function emitSilu(g: GraphBuilder, scope: string, x: string): string {
  return g.node("Mul", scope, [x, g.node("Sigmoid", scope, [x])]);
}

/** Conv and DWConv (a DWConv is a Conv with groups set). */
export function emitConv(ctx: EmitContext, c: Conv, scope: string, x: string): string {
  const g = ctx.g;
  let y: string;
  if (c.bn === null) {
    y = emitConv2d(g, c.conv, sub(scope, "conv"), x);
  } else {
    const fused = fuseConvAndBn(c.conv, c.bn);
    try {
      y = emitConv2d(g, fused, sub(scope, "conv"), x);
    } finally {
      fused.dispose();
    }
  }
  return c.act ? emitSilu(g, scope, y) : y;
}
