/** The Ultralytics metrics fixtures (tests/data/yolo11/metrics-*.json) as typed data for the tests. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EvalImage } from "./det-metrics.js";
import type { YoloBox } from "./iou.js";

const DIR = join(import.meta.dirname, "..", "..", "..", "tests", "data", "yolo11");

export interface MetricsInput {
  image_size_hw: [number, number];
  nc: number;
  images: { image: number; gt: YoloBox[]; pred: { xyxy: number[]; conf: number; cls: number }[] }[];
}

export interface ExpectedClass {
  cls: number;
  n_gt: number;
  P: number;
  R: number;
  F1: number;
  AP50: number;
  "AP50-95": number;
  AP_per_iou: number[];
}

export interface MetricsExpected {
  mean: { mp: number; mr: number; map50: number; map75: number; map: number; fitness: number };
  results_dict: Record<string, number>;
  per_class: ExpectedClass[];
  nt_per_class: number[];
  nt_per_image: number[];
  per_image_tp: { image: number; gt_xyxy_pixels: number[][]; tp: number[][] }[];
}

export function loadMetricsFixtures(): {
  input: MetricsInput;
  expected: MetricsExpected;
  images: EvalImage[];
} {
  const read = <T>(name: string): T => JSON.parse(readFileSync(join(DIR, name), "utf8")) as T;
  const input = read<MetricsInput>("metrics-input.json");
  const expected = read<MetricsExpected>("metrics-expected.json");
  const [height, width] = input.image_size_hw;
  const images = input.images.map((im): EvalImage => ({
    width,
    height,
    gt: im.gt,
    predictions: im.pred.map((p) => ({ xyxy: p.xyxy, conf: p.conf, cls: p.cls })),
  }));
  return { input, expected, images };
}
