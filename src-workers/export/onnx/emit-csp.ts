/** Bottleneck, C2f/C3k2 and C3k: the CSP blocks, as their forward() in yolo/nn composes them. */
import type { Bottleneck } from "../../yolo/nn/bottleneck.js";
import type { C2f, C3k } from "../../yolo/nn/c3k2.js";
import { sub, type EmitContext } from "./context.js";
import { int } from "./graph.js";
import { emitConv } from "./emit-conv.js";

export function emitBottleneck(ctx: EmitContext, m: Bottleneck, scope: string, x: string): string {
  const y = emitConv(ctx, m.cv2, sub(scope, "cv2"), emitConv(ctx, m.cv1, sub(scope, "cv1"), x));
  return m.add ? ctx.g.node("Add", scope, [x, y]) : y;
}

/** C2f and C3k2: cv1 -> split in two halves -> each block on the last piece -> cv2(concat of all). */
export function emitC2f(ctx: EmitContext, m: C2f, scope: string, x: string): string {
  const g = ctx.g;
  const a = emitConv(ctx, m.cv1, sub(scope, "cv1"), x);
  const ys = g.nodeN("Split", scope, [a, g.int64s(`${scope}.split`, [m.c, m.c])], 2, { axis: int(1) });
  m.m.items.forEach((block, i) =>
    ys.push(ctx.emit(block, sub(sub(scope, "m"), String(i)), ys[ys.length - 1]!)),
  );
  return emitConv(ctx, m.cv2, sub(scope, "cv2"), g.node("Concat", scope, ys, { axis: int(1) }));
}

/** C3k: cv3(concat(m(cv1(x)), cv2(x))). */
export function emitC3k(ctx: EmitContext, m: C3k, scope: string, x: string): string {
  let y = emitConv(ctx, m.cv1, sub(scope, "cv1"), x);
  m.m.items.forEach((b, i) => (y = emitBottleneck(ctx, b, sub(sub(scope, "m"), String(i)), y)));
  const z = emitConv(ctx, m.cv2, sub(scope, "cv2"), x);
  return emitConv(ctx, m.cv3, sub(scope, "cv3"), ctx.g.node("Concat", scope, [y, z], { axis: int(1) }));
}
