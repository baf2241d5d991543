/**
 * YOLO source: a folder with images/ and labels/ (labels/<stem>.txt per image; no label file means
 * no objects). Image sizes come from the file header (sharp metadata, no decode), with the EXIF
 * orientation applied as Ultralytics does, so pixel boxes match what a trainer sees.
 */
import { access, readdir } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import type { ClassCatalog } from "../../core/classes.js";
import { errorMessage } from "../../core/errors.js";
import { readLabelFile } from "../../core/labels.js";
import { imageLabelDirs, isImageFile, stemOf } from "../../core/layout.js";
import type { ProblemLog } from "../../core/problems.js";
import type { PixelBox, TargetImage } from "./types.js";

export class YoloSource {
  private readonly images: string;
  private readonly labels: string;
  private readonly stems = new Map<string, string>();

  constructor(
    input: string,
    private readonly catalog: ClassCatalog,
    private readonly log: ProblemLog,
    imagesDir?: string,
  ) {
    const dirs = imageLabelDirs(input);
    this.images = imagesDir ?? dirs.images;
    this.labels = dirs.labels;
  }

  /** Image files, sorted; label files without an image are reported (their size is unknown). */
  async list(): Promise<string[]> {
    const names = (await readdir(this.images)).filter(isImageFile).sort();
    const stems = new Set(names.map((n) => stemOf(n)));
    const labels = await readdir(this.labels).catch(() => [] as string[]);
    for (const l of labels.filter((n) => n.endsWith(".txt")).sort()) {
      if (!stems.has(stemOf(l)))
        this.log.warning(join(this.labels, l), "label has no image in the images folder; skipped");
    }
    return names.map((n) => join(this.images, n));
  }

  async read(imagePath: string): Promise<TargetImage | undefined> {
    const imageName = imagePath.slice(this.images.length + 1);
    const stem = stemOf(imageName);
    const taken = this.stems.get(stem);
    if (taken !== undefined) {
      this.log.error(imagePath, `shares the label name ${stem}.txt with ${taken}; skipped`);
      return undefined;
    }
    this.stems.set(stem, imageName);
    let width: number;
    let height: number;
    try {
      const meta = await sharp(imagePath).metadata();
      ({ width, height } = meta.autoOrient);
    } catch (e) {
      this.log.error(imagePath, `cannot read the image size: ${errorMessage(e)}`);
      return undefined;
    }
    const labelPath = join(this.labels, `${stem}.txt`);
    const exists = await access(labelPath).then(
      () => true,
      () => false,
    );
    const parsed = exists ? await readLabelFile(labelPath, this.catalog) : { boxes: [], problems: [] };
    this.log.addAll(parsed.problems);
    const boxes: PixelBox[] = parsed.boxes.map((b) => ({
      classId: b.classId,
      x1: (b.cx - b.w / 2) * width,
      y1: (b.cy - b.h / 2) * height,
      x2: (b.cx + b.w / 2) * width,
      y2: (b.cy + b.h / 2) * height,
    }));
    return {
      annotationFile: exists ? labelPath : imagePath,
      stem,
      imagePath,
      imageName,
      width,
      height,
      boxes,
    };
  }
}
