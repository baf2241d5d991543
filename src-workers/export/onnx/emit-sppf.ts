/** SPPF: cv1, three chained k x k max-pools (stride 1, "same" padding), cv2 over the four maps. */
import type { SPPF } from "../../yolo/nn/sppf.js";
import { sub, type EmitContext } from "./context.js";
import { int, ints } from "./graph.js";
import { emitConv } from "./emit-conv.js";

export function emitSppf(ctx: EmitContext, m: SPPF, scope: string, x: string): string {
  const g = ctx.g;
  const ys = [emitConv(ctx, m.cv1, sub(scope, "cv1"), x)];
  const p = Math.floor(m.k / 2);
  for (let i = 0; i < 3; i++)
    ys.push(
      g.node("MaxPool", scope, [ys[i]!], {
        kernel_shape: ints([m.k, m.k]),
        strides: ints([1, 1]),
        pads: ints([p, p, p, p]),
      }),
    );
  return emitConv(ctx, m.cv2, sub(scope, "cv2"), g.node("Concat", scope, ys, { axis: int(1) }));
}
