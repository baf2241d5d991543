/**
 * COCO detection JSON: images (id, file_name, width, height), annotations (image_id, category_id,
 * bbox [x, y, w, h] in pixels from the top-left corner), categories (id, name). iscrowd regions
 * are kept as ordinary boxes; segmentation is ignored (the bbox is what a detector learns from).
 * Images are looked for beside the JSON, then in an images/ folder beside it.
 */
import { dirname, join } from "node:path";
import { z } from "zod";
import type { Problem } from "../../core/problems.js";
import { zodIssuesToText } from "../../core/zod-text.js";
import { isRecord, readJsonFile } from "./source-files.js";
import type { AnnotationReader, ReadResult, SourceImage, SourceObject } from "./types.js";

const id = z.union([z.number().int(), z.string().min(1)]);
const imageSchema = z.object({
  id,
  file_name: z.string().min(1),
  width: z.number().positive(),
  height: z.number().positive(),
});
const annotationSchema = z.object({
  id: id.optional(),
  image_id: id,
  category_id: id,
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});
const categorySchema = z.object({ id, name: z.string().min(1) });

export const cocoReader: AnnotationReader = {
  files: (input) => Promise.resolve([input]),
  read: readCoco,
};

export async function readCoco(file: string): Promise<ReadResult> {
  const problems: Problem[] = [];
  const err = (field: string, message: string) => problems.push({ severity: "error", file, field, message });
  const parsed = await readJsonFile(file);
  if (!parsed.ok) return { images: [], problems: [parsed.problem] };
  const root = parsed.value;
  if (
    !isRecord(root) ||
    !Array.isArray(root.images) ||
    !Array.isArray(root.annotations) ||
    !Array.isArray(root.categories)
  ) {
    err("", "not a COCO file: expected an object with images, annotations and categories arrays");
    return { images: [], problems };
  }

  const categories = new Map<string, string>();
  root.categories.forEach((raw, i) => {
    const c = categorySchema.safeParse(raw);
    if (!c.success) return err(`categories[${i}]`, zodIssuesToText(c.error).text);
    if (categories.has(String(c.data.id)))
      return err(`categories[${i}]`, `category id ${c.data.id} is defined twice`);
    categories.set(String(c.data.id), c.data.name);
  });

  const dir = dirname(file);
  const images = new Map<string, { image: Omit<SourceImage, "objects">; objects: SourceObject[] }>();
  root.images.forEach((raw, i) => {
    const where = `images[${i}]`;
    const m = imageSchema.safeParse(raw);
    if (!m.success) return err(where, zodIssuesToText(m.error).text);
    const key = String(m.data.id);
    if (images.has(key)) return err(where, `image id ${key} is used twice; this image is skipped`);
    images.set(key, {
      image: {
        annotationFile: file,
        where,
        imageFile: m.data.file_name,
        width: m.data.width,
        height: m.data.height,
        imageDirs: [dir, join(dir, "images")],
      },
      objects: [],
    });
  });

  root.annotations.forEach((raw, i) => {
    const a = annotationSchema.safeParse(raw);
    const rawId = isRecord(raw) ? raw.id : undefined;
    const where = `annotations[${i}]${typeof rawId === "number" || typeof rawId === "string" ? ` (id ${rawId})` : ""}`;
    if (!a.success) return err(where, zodIssuesToText(a.error).text);
    const image = images.get(String(a.data.image_id));
    if (!image) return err(where, `image_id ${a.data.image_id} is not in images`);
    const name = categories.get(String(a.data.category_id));
    if (name === undefined) return err(where, `category_id ${a.data.category_id} is not in categories`);
    const [x, y, w, h] = a.data.bbox;
    if (w < 0 || h < 0) return err(where, `bbox [${a.data.bbox.join(", ")}] has a negative width or height`);
    image.objects.push({ name, x1: x, y1: y, x2: x + w, y2: y + h, where });
  });

  return { images: [...images.values()].map((m) => ({ ...m.image, objects: m.objects })), problems };
}
