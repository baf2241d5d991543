/**
 * CVAT for images 1.1 XML: <annotations><image id name width height> holding <box label xtl ytl
 * xbr ybr/> (pixel edges, 0-based) and <polygon label points="x,y;x,y"/> (its bounding box).
 * Other shapes (polyline, points, ellipse, mask, cuboid) and video <track>s are reported and skipped.
 * Images are looked for in images/ beside the XML (CVAT's export layout), then beside it.
 */
import { dirname, join } from "node:path";
import type { Problem } from "../../core/problems.js";
import { boundsOf } from "./geometry.js";
import { dimension, isRecord, readXmlFile, toNumber } from "./source-files.js";
import type { AnnotationReader, ReadResult, SourceImage, SourceObject } from "./types.js";

const OTHER_SHAPES = ["polyline", "points", "ellipse", "mask", "cuboid", "skeleton"] as const;

export const cvatReader: AnnotationReader = {
  files: (input) => Promise.resolve([input]),
  read: readCvat,
};

export async function readCvat(file: string): Promise<ReadResult> {
  const problems: Problem[] = [];
  const add = (severity: "error" | "warning", field: string, message: string) =>
    problems.push({ severity, file, field, message });
  const parsed = await readXmlFile(file, ["image", "box", "polygon", "track", ...OTHER_SHAPES]);
  if (!parsed.ok) return { images: [], problems: [parsed.problem] };
  const root = parsed.value.annotations;
  if (!isRecord(root)) {
    add("error", "", "not a CVAT for images file: no <annotations> root element");
    return { images: [], problems };
  }
  if (Array.isArray(root.track) && root.track.length > 0) {
    add(
      "warning",
      "track",
      `${root.track.length} <track> elements (CVAT for video) are not read; export as "CVAT for images"`,
    );
  }

  const dir = dirname(file);
  const images: SourceImage[] = [];
  const ids = new Set<string>();
  const list = Array.isArray(root.image) ? (root.image as unknown[]) : [];
  list.forEach((img, i) => {
    const name = isRecord(img) && typeof img.name === "string" ? img.name.trim() : "";
    const where = name === "" ? `image[${i}]` : `image[${i}] "${name}"`;
    if (!isRecord(img) || name === "") return add("error", where, "image has no name attribute; skipped");
    if (typeof img.id === "string") {
      if (ids.has(img.id)) return add("error", where, `image id ${img.id} is used twice; skipped`);
      ids.add(img.id);
    }
    const width = dimension(img.width, "width");
    const height = dimension(img.height, "height");
    if (typeof width === "string" || typeof height === "string") {
      return add(
        "error",
        where,
        `${[width, height].filter((m) => typeof m === "string").join(", ")}; skipped`,
      );
    }
    const objects: SourceObject[] = [];
    const shapes = (tag: string) => (Array.isArray(img[tag]) ? (img[tag] as unknown[]) : []);
    shapes("box").forEach((b, k) => {
      const at = `${where} box ${k + 1}`;
      const label = labelOf(b);
      if (!isRecord(b) || label === undefined) return add("error", at, "box has no label");
      const [x1, y1, x2, y2] = (["xtl", "ytl", "xbr", "ybr"] as const).map((a) => toNumber(b[a]));
      if (x1 === undefined || y1 === undefined || x2 === undefined || y2 === undefined) {
        return add("error", at, `"${label}": box needs numeric xtl, ytl, xbr, ybr`);
      }
      objects.push({ name: label, x1, y1, x2, y2, where: at });
    });
    shapes("polygon").forEach((p, k) => {
      const at = `${where} polygon ${k + 1}`;
      const label = labelOf(p);
      if (!isRecord(p) || label === undefined) return add("error", at, "polygon has no label");
      const pts = parsePoints(p.points);
      if (!pts) return add("error", at, `"${label}": points must be "x,y;x,y;..." with at least 3 points`);
      objects.push({ name: label, ...boundsOf(pts), where: at });
    });
    for (const tag of OTHER_SHAPES) {
      const n = shapes(tag).length;
      if (n > 0)
        add(
          "warning",
          where,
          `${n} <${tag}> shape${n === 1 ? "" : "s"} skipped (only boxes and polygons convert)`,
        );
    }
    images.push({
      annotationFile: file,
      where,
      imageFile: name,
      width,
      height,
      objects,
      imageDirs: [join(dir, "images"), dir],
    });
  });
  return { images, problems };
}

function labelOf(shape: unknown): string | undefined {
  if (!isRecord(shape) || typeof shape.label !== "string") return undefined;
  const l = shape.label.trim();
  return l === "" ? undefined : l;
}

function parsePoints(v: unknown): [number, number][] | undefined {
  if (typeof v !== "string") return undefined;
  const pts: [number, number][] = [];
  for (const pair of v.split(";")) {
    const [xs, ys, extra] = pair.split(",");
    const x = toNumber(xs);
    const y = toNumber(ys);
    if (x === undefined || y === undefined || extra !== undefined) return undefined;
    pts.push([x, y]);
  }
  return pts.length >= 3 ? pts : undefined;
}
