/**
 * Attention, PSABlock and C2PSA. Spatial sizes are fixed at export (imgsz is), only the batch is
 * dynamic, so every Reshape target is a constant with -1 for the batch.
 */
import type { Attention, PSABlock } from "../../yolo/nn/attention.js";
import type { C2PSA } from "../../yolo/nn/c2psa.js";
import { sub, type EmitContext } from "./context.js";
import { int, ints } from "./graph.js";
import { emitConv } from "./emit-conv.js";
import { emitSequential } from "./emit-misc.js";

/** Spatial size of the input of each attention module, known from imgsz and the layer's stride. */
export interface SpatialSize {
  readonly h: number;
  readonly w: number;
}

export function emitAttention(
  ctx: EmitContext,
  m: Attention,
  scope: string,
  x: string,
  hw: SpatialSize,
): string {
  const g = ctx.g;
  const { h, w } = hw;
  const n = h * w;
  const per = m.keyDim * 2 + m.headDim;
  const qkv = emitConv(ctx, m.qkv, sub(scope, "qkv"), x);
  const r = g.node("Reshape", scope, [qkv, g.int64s(`${scope}.qkv_shape`, [-1, m.numHeads, per, n])]);
  const [q, k, v] = g.nodeN(
    "Split",
    scope,
    [r, g.int64s(`${scope}.qkv_split`, [m.keyDim, m.keyDim, m.headDim])],
    3,
    {
      axis: int(2),
    },
  ) as [string, string, string];
  const qt = g.node("Transpose", scope, [q], { perm: ints([0, 1, 3, 2]) });
  const logits = g.node("Mul", scope, [
    g.node("MatMul", scope, [qt, k]),
    g.scalar(`${scope}.scale`, m.scale),
  ]);
  const attn = g.node("Softmax", scope, [logits], { axis: int(-1) });
  const at = g.node("Transpose", scope, [attn], { perm: ints([0, 1, 3, 2]) });
  const chw = g.int64s(`${scope}.chw_shape`, [-1, m.dim, h, w]);
  const y = g.node("Reshape", scope, [g.node("MatMul", scope, [v, at]), chw]);
  const pe = emitConv(ctx, m.pe, sub(scope, "pe"), g.node("Reshape", scope, [v, chw]));
  return emitConv(ctx, m.proj, sub(scope, "proj"), g.node("Add", scope, [y, pe]));
}

export function emitPsaBlock(
  ctx: EmitContext,
  m: PSABlock,
  scope: string,
  x: string,
  hw: SpatialSize,
): string {
  const g = ctx.g;
  const at = emitAttention(ctx, m.attn, sub(scope, "attn"), x, hw);
  const a = m.shortcut ? g.node("Add", scope, [x, at]) : at;
  const f = emitSequential(ctx, m.ffn, sub(scope, "ffn"), a);
  return m.shortcut ? g.node("Add", scope, [a, f]) : f;
}

/** C2PSA: cv1 -> split in halves -> PSABlocks on the second -> cv2(concat). */
export function emitC2psa(ctx: EmitContext, m: C2PSA, scope: string, x: string, hw: SpatialSize): string {
  const g = ctx.g;
  const y = emitConv(ctx, m.cv1, sub(scope, "cv1"), x);
  const [a, b] = g.nodeN("Split", scope, [y, g.int64s(`${scope}.split`, [m.c, m.c])], 2, {
    axis: int(1),
  }) as [string, string];
  let z = b;
  m.m.items.forEach((blk, i) => (z = emitPsaBlock(ctx, blk, sub(sub(scope, "m"), String(i)), z, hw)));
  return emitConv(ctx, m.cv2, sub(scope, "cv2"), g.node("Concat", scope, [a, z], { axis: int(1) }));
}
