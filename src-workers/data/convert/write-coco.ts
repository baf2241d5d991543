/**
 * COCO writer: <out>/annotations.json and the images in <out>/images. Categories are the catalog's
 * used slots, id = slot id (so ids start at 0 and have gaps: 0-16, 20-36, 40-56), name = display
 * name. bbox keeps full float precision (no rounding), so YOLO -> COCO -> YOLO is lossless.
 */
import { access } from "node:fs/promises";
import { extname, join } from "node:path";
import type { ClassCatalog } from "../../core/classes.js";
import { OverwriteError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/labels.js";
import { placeImage } from "./place-image.js";
import type { TargetImage } from "./types.js";
import { newWriteStats, type WriteStats } from "./write-yolo.js";

interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}
interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0;
  segmentation: [];
}

export function cocoPath(out: string): string {
  return join(out, "annotations.json");
}

export class CocoWriter {
  private readonly images: CocoImage[] = [];
  private readonly annotations: CocoAnnotation[] = [];

  constructor(
    private readonly out: string,
    private readonly force: boolean,
    private readonly catalog: ClassCatalog,
    readonly stats: WriteStats = newWriteStats(),
  ) {}

  /** Refuse before any work when the output exists and --force is off. */
  async checkOverwrite(): Promise<void> {
    const file = cocoPath(this.out);
    if (
      !this.force &&
      (await access(file).then(
        () => true,
        () => false,
      ))
    )
      throw new OverwriteError(file);
  }

  async add(t: TargetImage): Promise<void> {
    const fileName = `${t.stem}${extname(t.imagePath ?? t.imageName)}`;
    const id = this.images.length + 1;
    this.images.push({ id, file_name: fileName, width: t.width, height: t.height });
    this.stats.labels++;
    for (const b of t.boxes) {
      const w = b.x2 - b.x1;
      const h = b.y2 - b.y1;
      this.annotations.push({
        id: this.annotations.length + 1,
        image_id: id,
        category_id: b.classId,
        bbox: [b.x1, b.y1, w, h],
        area: w * h,
        iscrowd: 0,
        segmentation: [],
      });
    }
    if (t.imagePath === undefined) {
      this.stats.missingImages++;
      return;
    }
    const target = join(this.out, "images", fileName);
    if ((await placeImage(t.imagePath, target, this.force)) !== "kept") {
      this.stats.images++;
      this.stats.files.push(target);
    }
  }

  async finish(): Promise<void> {
    const categories = this.catalog.usedIds().map((id) => {
      const slot = this.catalog.slot(id);
      return { id, name: slot.displayName, supercategory: slot.base.name };
    });
    const doc = {
      info: { description: "Converted by azaion convert", date_created: new Date().toISOString() },
      licenses: [],
      images: this.images,
      annotations: this.annotations,
      categories,
    };
    const file = cocoPath(this.out);
    await writeFileAtomic(file, `${JSON.stringify(doc)}\n`);
    this.stats.files.push(file);
  }
}
