/** Ultralytics' model.fuse() for YOLO11: every Conv (and DWConv) gets its BatchNorm folded into the conv. */
import { Conv } from "../nn/conv.js";
import type { Module } from "../nn/module.js";

/** Fuse every unfused Conv below `root`; returns how many were fused. */
export function fuseModel(root: Module): number {
  const convs = root
    .namedModules()
    .map(([, m]) => m)
    .filter((m): m is Conv => m instanceof Conv && !m.fused);
  for (const c of convs) c.fuse();
  return convs.length;
}
