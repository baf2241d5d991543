/** The annotation formats convert reads, by --from name (yolo has its own source: it needs no mapping). */
import { cocoReader } from "./read-coco.js";
import { cvatReader } from "./read-cvat.js";
import { labelmeReader } from "./read-labelme.js";
import { vocReader } from "./read-voc.js";
import type { AnnotationReader } from "./types.js";

export const FROM_FORMATS = ["coco", "voc", "labelme", "cvat", "yolo"] as const;
export const TO_FORMATS = ["yolo", "coco"] as const;
export type FromFormat = (typeof FROM_FORMATS)[number];
export type ToFormat = (typeof TO_FORMATS)[number];

export const READERS: Record<Exclude<FromFormat, "yolo">, AnnotationReader> = {
  coco: cocoReader,
  voc: vocReader,
  labelme: labelmeReader,
  cvat: cvatReader,
};

/** What <input> must be for each format, for --help and usage errors. */
export const INPUT_KIND: Record<FromFormat, "file" | "folder" | "either"> = {
  coco: "file",
  cvat: "file",
  voc: "either",
  labelme: "either",
  yolo: "folder",
};
