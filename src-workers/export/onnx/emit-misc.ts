/** Parameter-free layers and containers: Sequential, Concat, nearest Upsample. */
import type { Concat, Upsample } from "../../yolo/nn/misc.js";
import type { Module } from "../../yolo/nn/module.js";
import { sub, type EmitContext } from "./context.js";
import { int, str, type GraphBuilder } from "./graph.js";

/** Sequential (and any container of children "0", "1", ... run in order). */
export function emitSequential(
  ctx: EmitContext,
  m: { readonly items: readonly Module[] },
  scope: string,
  x: string,
): string {
  return m.items.reduce((y, item, i) => ctx.emit(item, sub(scope, String(i)), y), x);
}

export function emitConcat(g: GraphBuilder, m: Concat, scope: string, xs: readonly string[]): string {
  return g.node("Concat", scope, xs, { axis: int(m.dim) });
}

/** nn.Upsample(mode="nearest") is Resize with asymmetric coordinates and floor rounding. */
export function emitUpsample(g: GraphBuilder, m: Upsample, scope: string, x: string): string {
  const s = m.scaleFactor;
  return g.node("Resize", scope, [x, "", g.floats(`${scope}.scales`, [1, 1, s, s], [4])], {
    mode: str("nearest"),
    coordinate_transformation_mode: str("asymmetric"),
    nearest_mode: str("floor"),
  });
}
