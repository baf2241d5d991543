/**
 * LabelMe JSON: one file per image (imageWidth, imageHeight, imagePath relative to the JSON;
 * shapes[] with label, points, shape_type). A rectangle is two opposite corners in any order;
 * a polygon becomes the bounding box of its points. Other shape types (circle, line, point, ...)
 * are reported and skipped. The embedded imageData is not used: the image is looked up on disk.
 */
import { dirname } from "node:path";
import type { Problem } from "../../core/problems.js";
import { boundsOf } from "./geometry.js";
import { dimension, isRecord, listAnnotationFiles, readJsonFile, toNumber } from "./source-files.js";
import type { AnnotationReader, ReadResult, SourceObject } from "./types.js";

export const labelmeReader: AnnotationReader = {
  files: (input) => listAnnotationFiles(input, [".json"]),
  read: readLabelme,
};

export async function readLabelme(file: string): Promise<ReadResult> {
  const problems: Problem[] = [];
  const add = (severity: "error" | "warning", message: string, field?: string) =>
    problems.push({ severity, file, message, ...(field === undefined ? {} : { field }) });
  const parsed = await readJsonFile(file);
  if (!parsed.ok) return { images: [], problems: [parsed.problem] };
  const doc = parsed.value;
  if (!isRecord(doc) || !Array.isArray(doc.shapes)) {
    add("error", "not a LabelMe file: expected an object with a shapes array");
    return { images: [], problems };
  }
  const width = dimension(doc.imageWidth, "imageWidth");
  const height = dimension(doc.imageHeight, "imageHeight");
  const imagePath = typeof doc.imagePath === "string" ? doc.imagePath.trim() : "";
  if (typeof width === "string" || typeof height === "string" || imagePath === "") {
    for (const m of [width, height]) if (typeof m === "string") add("error", `${m}; this file is skipped`);
    if (imagePath === "") add("error", "missing imagePath; this file is skipped");
    return { images: [], problems };
  }

  const objects: SourceObject[] = [];
  doc.shapes.forEach((s: unknown, i) => {
    const where = `shapes[${i}]`;
    if (!isRecord(s) || typeof s.label !== "string" || s.label.trim() === "")
      return add("error", "shape has no label", where);
    const label = s.label.trim();
    const type = typeof s.shape_type === "string" ? s.shape_type : "polygon";
    if (type !== "rectangle" && type !== "polygon")
      return add("warning", `"${label}": shape_type ${type} is not a box or polygon; skipped`, where);
    const points = Array.isArray(s.points) ? s.points.map(toPoint) : [];
    if (points.some((p) => p === undefined))
      return add("error", `"${label}": points must be [x, y] number pairs`, where);
    const pts = points as [number, number][];
    if (type === "rectangle" ? pts.length !== 2 : pts.length < 3) {
      return add(
        "error",
        `"${label}": a ${type} needs ${type === "rectangle" ? "2" : "at least 3"} points, found ${pts.length}`,
        where,
      );
    }
    objects.push({ name: label, ...boundsOf(pts), where });
  });
  return {
    images: [
      {
        annotationFile: file,
        where: "",
        imageFile: imagePath,
        width,
        height,
        objects,
        imageDirs: [dirname(file)],
      },
    ],
    problems,
  };
}

function toPoint(p: unknown): [number, number] | undefined {
  if (!Array.isArray(p) || p.length !== 2) return undefined;
  const x = toNumber(p[0]);
  const y = toNumber(p[1]);
  return x === undefined || y === undefined ? undefined : [x, y];
}
