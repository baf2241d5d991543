/**
 * NMS inside the graph, reproducing yolo/predict/nms.ts (the predictor's NMS, Ultralytics'
 * non_max_suppression with multi_label off) for every image of the batch:
 *   1. each anchor keeps only its best class (ArgMax, first index on ties); the other class scores
 *      become 0, so a box is a candidate for one class at most;
 *   2. when there are more than maxNms anchors, only the maxNms with the highest best score stay;
 *   3. NonMaxSuppression per image and class (class-aware): candidates are scores > conf, a box is
 *      suppressed by a kept box of its class when their IoU > iou, at most maxDet per class;
 *   4. per image, the kept boxes sorted by score, the first maxDet; rows x1 y1 x2 y2 score class,
 *      padded with rows of zeros. num_detections says how many rows of each image are real.
 * NonMaxSuppression's selected indices carry the batch index, so step 4 builds a (batch, K) score
 * table where other images' selections are -1 and takes a TopK per row: no image borrows another's
 * detections.
 */
import { int, ints, tensorAttr, tensorProto, type GraphBuilder } from "./graph.js";
import { DataType } from "./schema.js";

export interface NmsParams {
  readonly conf: number;
  readonly iou: number;
  readonly maxDet: number;
  readonly maxNms: number;
}

export interface NmsOutputs {
  /** (batch, maxDet, 6) float. */
  readonly detections: string;
  /** (batch) int64. */
  readonly count: string;
}

export function emitNms(
  g: GraphBuilder,
  images: string,
  xywh: string,
  scores: string,
  nc: number,
  anchors: number,
  p: NmsParams,
): NmsOutputs {
  const s = "nms";
  // Boxes (B, N, 4) as xywh2xyxy computes them: xy -+ wh / 2.
  const boxT = g.node("Transpose", s, [xywh], { perm: ints([0, 2, 1]) });
  const [xy, wh] = g.nodeN("Split", s, [boxT, g.int64s(`${s}.xy_wh`, [2, 2])], 2, { axis: int(2) }) as [
    string,
    string,
  ];
  const half = g.node("Div", s, [wh, g.scalar(`${s}.two`, 2)]);
  const boxes = g.node("Concat", s, [g.node("Sub", s, [xy, half]), g.node("Add", s, [xy, half])], {
    axis: int(2),
  });

  // 1. Best class only.
  const best = g.node("ArgMax", s, [scores], { axis: int(1), keepdims: int(1), select_last_index: int(0) });
  const classIds = g.int64s(
    `${s}.class_ids`,
    Array.from({ length: nc }, (_, i) => i),
    [1, nc, 1],
  );
  const zero = g.scalar(`${s}.zero`, 0);
  const axis1 = g.int64s(`${s}.axis1`, [1]);
  let cand = g.node("Where", s, [g.node("Equal", s, [best, classIds]), scores, zero]);

  // 2. At most maxNms anchors (only possible when the grid has more).
  if (anchors > p.maxNms) {
    const conf = g.node("ReduceMax", s, [cand], { axes: ints([1]), keepdims: int(0) });
    const [, top] = g.nodeN("TopK", s, [conf, g.int64s(`${s}.max_nms`, [p.maxNms])], 2, { axis: int(1) });
    const zeros = g.node("ConstantOfShape", s, [g.node("Shape", s, [conf])]);
    const ones = g.node("ConstantOfShape", s, [g.node("Shape", s, [top!])], {
      value: tensorAttr(tensorProto(`${s}.one`, [1], DataType.FLOAT, Float32Array.of(1))),
    });
    const marked = g.node("ScatterElements", s, [zeros, top!, ones], { axis: int(1) });
    const keep = g.node("Unsqueeze", s, [g.node("Greater", s, [marked, zero]), axis1]);
    cand = g.node("Where", s, [keep, cand, zero]);
  }

  // 3. Class-aware NMS per image.
  const sel = g.node("NonMaxSuppression", s, [
    boxes,
    cand,
    g.int64s(`${s}.max_per_class`, [p.maxDet]),
    g.floats(`${s}.iou`, [p.iou], [1]),
    g.floats(`${s}.conf`, [p.conf], [1]),
  ]);

  // 4. Rows (K, 6) for the selections, maxDet zero rows after them, and a per-image TopK.
  const col = (name: string, at: number) =>
    g.node("Slice", s, [
      sel,
      g.int64s(`${s}.${name}_from`, [at]),
      g.int64s(`${s}.${name}_to`, [at + 1]),
      axis1,
    ]);
  const bIdx = col("batch", 0);
  const cIdx = col("class", 1);
  const aIdx = col("box", 2);
  const score = g.node("GatherND", s, [cand, sel]); // (K)
  const box = g.node("GatherND", s, [boxes, g.node("Concat", s, [bIdx, aIdx], { axis: int(1) })]); // (K, 4)
  const cls = g.node("Cast", s, [cIdx], { to: int(DataType.FLOAT) });
  const rows = g.node("Concat", s, [box, g.node("Unsqueeze", s, [score, axis1]), cls], { axis: int(1) });
  const padRows = g.floats(`${s}.pad_rows`, new Float32Array(p.maxDet * 6), [p.maxDet, 6]);
  const table = g.node("Concat", s, [rows, padRows], { axis: int(0) }); // (K + maxDet, 6)

  const minus = new Array<number>(p.maxDet).fill(-1);
  const rowImage = g.node(
    "Concat",
    s,
    [g.node("Squeeze", s, [bIdx, axis1]), g.int64s(`${s}.pad_image`, minus)],
    { axis: int(0) },
  ); // (K + maxDet)
  const rowScore = g.node("Concat", s, [score, g.floats(`${s}.pad_score`, minus, [p.maxDet])], {
    axis: int(0),
  });
  const batch = g.node("Gather", s, [g.node("Shape", s, [images]), g.scalar(`${s}.dim0`, 0, "int64")], {
    axis: int(0),
  });
  const imageIds = g.node("Unsqueeze", s, [
    g.node("Range", s, [g.scalar(`${s}.range0`, 0, "int64"), batch, g.scalar(`${s}.range1`, 1, "int64")]),
    axis1,
  ]); // (B, 1)
  const own = g.node("Equal", s, [g.node("Unsqueeze", s, [rowImage, g.int64s(`${s}.unsq0`, [0])]), imageIds]);
  const perImage = g.node("Where", s, [
    own,
    g.node("Unsqueeze", s, [rowScore, g.int64s(`${s}.unsq0b`, [0])]),
    g.scalar(`${s}.minus1`, -1),
  ]);
  const [topScore, topRow] = g.nodeN("TopK", s, [perImage, g.int64s(`${s}.max_det`, [p.maxDet])], 2, {
    axis: int(1),
    largest: int(1),
    sorted: int(1),
  }) as [string, string];
  const picked = g.node("Gather", s, [table, topRow], { axis: int(0) }); // (B, maxDet, 6)
  const valid = g.node("Greater", s, [topScore, zero]); // (B, maxDet)
  const detections = g.node("Where", s, [
    g.node("Unsqueeze", s, [valid, g.int64s(`${s}.unsq2`, [2])]),
    picked,
    zero,
  ]);
  const count = g.node("ReduceSum", s, [g.node("Cast", s, [valid], { to: int(DataType.INT64) }), axis1], {
    keepdims: int(0),
  });
  return { detections, count };
}
