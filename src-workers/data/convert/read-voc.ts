/**
 * Pascal VOC XML: one file per image (<size><width>, <height>; <object><name>, <bndbox> xmin ymin
 * xmax ymax). VOC pixel coordinates are 1-based and inclusive: a box over the whole of a W-pixel
 * wide image is xmin=1, xmax=W. In the 0-based edge coordinates we use, x1 = xmin - 1 and x2 = xmax
 * (likewise for y), so that box becomes [0, W]. `difficult` and `truncated` objects are kept.
 * Input: a folder of .xml, a VOC root with Annotations/, or one .xml. Images: ../JPEGImages, then beside.
 */
import { stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Problem } from "../../core/problems.js";
import { stemOf } from "../../core/layout.js";
import { dimension, isRecord, listAnnotationFiles, readXmlFile, textOf, toNumber } from "./source-files.js";
import type { AnnotationReader, ReadResult, SourceObject } from "./types.js";

export const vocReader: AnnotationReader = {
  files: async (input) => {
    const annotations = join(input, "Annotations");
    const isVocRoot = await stat(annotations).then(
      (s) => s.isDirectory(),
      () => false,
    );
    return listAnnotationFiles(isVocRoot ? annotations : input, [".xml"]);
  },
  read: readVoc,
};

export async function readVoc(file: string): Promise<ReadResult> {
  const problems: Problem[] = [];
  const err = (message: string, field?: string) =>
    problems.push({ severity: "error", file, message, ...(field === undefined ? {} : { field }) });
  const parsed = await readXmlFile(file, ["object"]);
  if (!parsed.ok) return { images: [], problems: [parsed.problem] };
  const ann = parsed.value.annotation;
  if (!isRecord(ann)) {
    err("not a Pascal VOC file: no <annotation> root element");
    return { images: [], problems };
  }
  const size = isRecord(ann.size) ? ann.size : {};
  const width = dimension(textOf(size.width), "size/width");
  const height = dimension(textOf(size.height), "size/height");
  if (typeof width === "string" || typeof height === "string") {
    for (const m of [width, height]) if (typeof m === "string") err(`${m}; this file is skipped`, "size");
    return { images: [], problems };
  }

  const objects: SourceObject[] = [];
  const list = Array.isArray(ann.object) ? (ann.object as unknown[]) : [];
  list.forEach((o, i) => {
    const where = `object ${i + 1}`;
    const name = isRecord(o) ? textOf(o.name)?.trim() : undefined;
    if (!isRecord(o) || !name) return err("has no <name>", where);
    const box = isRecord(o.bndbox) ? o.bndbox : undefined;
    if (!box) return err(`"${name}" has no <bndbox>`, where);
    const v = (["xmin", "ymin", "xmax", "ymax"] as const).map((k) => toNumber(textOf(box[k])));
    const [xmin, ymin, xmax, ymax] = v;
    if (xmin === undefined || ymin === undefined || xmax === undefined || ymax === undefined) {
      return err(`"${name}": bndbox needs numeric xmin, ymin, xmax, ymax`, where);
    }
    if (xmax < xmin || ymax < ymin) {
      return err(`"${name}": reversed box (xmin ${xmin}, xmax ${xmax}, ymin ${ymin}, ymax ${ymax})`, where);
    }
    objects.push({ name, x1: xmin - 1, y1: ymin - 1, x2: xmax, y2: ymax, where });
  });

  const dir = dirname(file);
  const imageFile = textOf(ann.filename)?.trim() || `${stemOf(basename(file))}.jpg`;
  return {
    images: [
      {
        annotationFile: file,
        where: "",
        imageFile,
        width,
        height,
        objects,
        imageDirs: [join(dir, "..", "JPEGImages"), dir],
      },
    ],
    problems,
  };
}
