/**
 * Detect: per level the box branch (cv2) and class branch (cv3) concatenated into the raw map, then
 * Detect.decode in the graph: DFL (softmax over 16 bins, then the fixed 1x1 conv 0..15), distances
 * around the anchor points to xywh, times the level strides, and sigmoid class scores. Anchors and
 * strides are constants for the exported input size.
 */
import type { Detect } from "../../yolo/nn/detect.js";
import { sub, type EmitContext } from "./context.js";
import { int, ints } from "./graph.js";
import { emitConv2d } from "./emit-conv.js";
import { emitSequential } from "./emit-misc.js";

export interface DetectOutputs {
  /** (batch, 4+nc, N): cx cy w h in input pixels, then class scores (Detect's eval output). */
  readonly pred: string;
  /** (batch, 4, N) xywh and (batch, nc, N) scores, the two parts of pred. */
  readonly xywh: string;
  readonly scores: string;
  readonly anchors: number;
}

/** Anchor points (cell centres, grid units) and their strides, level by level, as Detect.anchorsFor. */
export function anchorGrid(
  sizes: readonly { h: number; w: number }[],
  strides: readonly number[],
): { points: Float32Array; strides: Float32Array } {
  const n = sizes.reduce((s, l) => s + l.h * l.w, 0);
  const points = new Float32Array(2 * n);
  const st = new Float32Array(n);
  let a = 0;
  sizes.forEach(({ h, w }, i) => {
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, a++) {
        points[a] = x + 0.5;
        points[n + a] = y + 0.5;
        st[a] = strides[i] ?? 0;
      }
  });
  return { points, strides: st };
}

export function emitDetect(
  ctx: EmitContext,
  m: Detect,
  scope: string,
  xs: readonly string[],
  sizes: readonly { h: number; w: number }[],
): DetectOutputs {
  const g = ctx.g;
  const flat = xs.map((x, i) => {
    const box = emitSequential(ctx, m.cv2.at(i), sub(sub(scope, "cv2"), String(i)), x);
    const cls = emitSequential(ctx, m.cv3.at(i), sub(sub(scope, "cv3"), String(i)), x);
    const raw = g.node("Concat", scope, [box, cls], { axis: int(1) });
    const { h, w } = sizes[i]!;
    return g.node("Reshape", scope, [raw, g.int64s(`${scope}.flat_shape`, [-1, m.no, h * w])]);
  });
  const n = sizes.reduce((s, l) => s + l.h * l.w, 0);
  const all = g.node("Concat", scope, flat, { axis: int(2) });
  const r4 = 4 * m.regMax;
  const [boxLogits, clsLogits] = g.nodeN("Split", scope, [all, g.int64s(`${scope}.split`, [r4, m.nc])], 2, {
    axis: int(1),
  }) as [string, string];

  // DFL: (B, 64, N) -> (B, 4, 16, N) -> (B, 16, 4, N) -> softmax over the bins -> 1x1 conv -> (B, 4, N).
  const dflScope = sub(scope, "dfl");
  const bins = g.node("Reshape", dflScope, [boxLogits, g.int64s(`${dflScope}.shape`, [-1, 4, m.regMax, n])]);
  const p = g.node(
    "Softmax",
    dflScope,
    [g.node("Transpose", dflScope, [bins], { perm: ints([0, 2, 1, 3]) })],
    {
      axis: int(1),
    },
  );
  const expect = emitConv2d(g, m.dfl.conv, sub(dflScope, "conv"), p);
  const dist = g.node("Reshape", dflScope, [expect, g.int64s(`${dflScope}.out_shape`, [-1, 4, n])]);

  const grid = anchorGrid(sizes, m.stride);
  const points = g.floats(`${scope}.anchors`, grid.points, [1, 2, n]);
  const strides = g.floats(`${scope}.strides`, grid.strides, [1, 1, n]);
  const [lt, rb] = g.nodeN("Split", scope, [dist, g.int64s(`${scope}.lt_rb`, [2, 2])], 2, {
    axis: int(1),
  }) as [string, string];
  const x1y1 = g.node("Sub", scope, [points, lt]);
  const x2y2 = g.node("Add", scope, [points, rb]);
  const c = g.node("Div", scope, [g.node("Add", scope, [x1y1, x2y2]), g.scalar(`${scope}.two`, 2)]);
  const wh = g.node("Sub", scope, [x2y2, x1y1]);
  const xywh = g.node("Mul", scope, [g.node("Concat", scope, [c, wh], { axis: int(1) }), strides]);
  const scores = g.node("Sigmoid", scope, [clsLogits]);
  const pred = g.node("Concat", scope, [xywh, scores], { axis: int(1) });
  return { pred, xywh, scores, anchors: n };
}
