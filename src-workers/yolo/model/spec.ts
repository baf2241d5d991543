/**
 * The YOLO11 detector as Ultralytics' ultralytics/cfg/models/11/yolo11.yaml describes it: rows of
 * [from, repeats, module, args] before scaling, and the compound scales [depth, width, max_channels].
 * Kept in the yaml's own spelling ("None" is a string there) so the table can be compared with a
 * checkpoint's "yaml" attribute.
 */

export type Scale = "n" | "s" | "m" | "l" | "x";

export const SCALES: readonly Scale[] = ["n", "s", "m", "l", "x"];

export type ModuleName = "Conv" | "C3k2" | "SPPF" | "C2PSA" | "nn.Upsample" | "Concat" | "Detect";

export type SpecArg = number | boolean | string | null;

/** [from (-1 = previous layer), repeats, module, args]. */
export type LayerRow = readonly [number | readonly number[], number, ModuleName, readonly SpecArg[]];

export interface ModelSpec {
  readonly nc: number;
  readonly scales: Readonly<Record<Scale, readonly [depth: number, width: number, maxChannels: number]>>;
  readonly backbone: readonly LayerRow[];
  readonly head: readonly LayerRow[];
}

export const YOLO11: ModelSpec = {
  nc: 80,
  scales: {
    n: [0.5, 0.25, 1024],
    s: [0.5, 0.5, 1024],
    m: [0.5, 1.0, 512],
    l: [1.0, 1.0, 512],
    x: [1.0, 1.5, 512],
  },
  backbone: [
    [-1, 1, "Conv", [64, 3, 2]], // 0-P1/2
    [-1, 1, "Conv", [128, 3, 2]], // 1-P2/4
    [-1, 2, "C3k2", [256, false, 0.25]],
    [-1, 1, "Conv", [256, 3, 2]], // 3-P3/8
    [-1, 2, "C3k2", [512, false, 0.25]],
    [-1, 1, "Conv", [512, 3, 2]], // 5-P4/16
    [-1, 2, "C3k2", [512, true]],
    [-1, 1, "Conv", [1024, 3, 2]], // 7-P5/32
    [-1, 2, "C3k2", [1024, true]],
    [-1, 1, "SPPF", [1024, 5]], // 9
    [-1, 2, "C2PSA", [1024]], // 10
  ],
  head: [
    [-1, 1, "nn.Upsample", ["None", 2, "nearest"]],
    [[-1, 6], 1, "Concat", [1]], // cat backbone P4
    [-1, 2, "C3k2", [512, false]], // 13
    [-1, 1, "nn.Upsample", ["None", 2, "nearest"]],
    [[-1, 4], 1, "Concat", [1]], // cat backbone P3
    [-1, 2, "C3k2", [256, false]], // 16 (P3/8-small)
    [-1, 1, "Conv", [256, 3, 2]],
    [[-1, 13], 1, "Concat", [1]], // cat head P4
    [-1, 2, "C3k2", [512, false]], // 19 (P4/16-medium)
    [-1, 1, "Conv", [512, 3, 2]],
    [[-1, 10], 1, "Concat", [1]], // cat head P5
    [-1, 2, "C3k2", [1024, true]], // 22 (P5/32-large)
    [[16, 19, 22], 1, "Detect", ["nc"]], // Detect(P3, P4, P5)
  ],
};
