/**
 * YOLO writer: <out>/labels/<stem>.txt (class cx cy w h, normalised) and the image beside it in
 * <out>/images. An existing label is never replaced without --force: that image is reported and
 * skipped, the run goes on.
 */
import { access } from "node:fs/promises";
import { extname, join } from "node:path";
import { errorMessage, OverwriteError } from "../../core/errors.js";
import { writeLabelFile, type YoloBox } from "../../core/labels.js";
import type { ProblemLog } from "../../core/problems.js";
import { placeImage } from "./place-image.js";
import type { PixelBox, TargetImage } from "./types.js";

export function toYolo(b: PixelBox, width: number, height: number): YoloBox {
  return {
    classId: b.classId,
    cx: (b.x1 + b.x2) / 2 / width,
    cy: (b.y1 + b.y2) / 2 / height,
    w: (b.x2 - b.x1) / width,
    h: (b.y2 - b.y1) / height,
  };
}

export interface WriteStats {
  labels: number;
  images: number;
  /** Images not found on disk: labels written without them. */
  missingImages: number;
  readonly files: string[];
}

export function newWriteStats(): WriteStats {
  return { labels: 0, images: 0, missingImages: 0, files: [] };
}

export class YoloWriter {
  constructor(
    private readonly out: string,
    private readonly force: boolean,
    private readonly log: ProblemLog,
    readonly stats: WriteStats = newWriteStats(),
  ) {}

  async write(t: TargetImage): Promise<void> {
    const label = join(this.out, "labels", `${t.stem}.txt`);
    if (
      !this.force &&
      (await access(label).then(
        () => true,
        () => false,
      ))
    ) {
      this.log.error(
        label,
        `${new OverwriteError(label).message}; ${t.imageName} from ${t.annotationFile} not converted`,
      );
      return;
    }
    try {
      await writeLabelFile(
        label,
        t.boxes.map((b) => toYolo(b, t.width, t.height)),
      );
      this.stats.labels++;
      this.stats.files.push(label);
      await this.placeImage(t);
    } catch (e) {
      this.log.error(label, `cannot write: ${errorMessage(e)}`);
    }
  }

  private async placeImage(t: TargetImage): Promise<void> {
    if (t.imagePath === undefined) {
      // One warning, not one per image: a run without images would drown every other problem.
      if (this.stats.missingImages++ === 0) {
        this.log.warning(
          t.annotationFile,
          `image "${t.imageName}" not found (pass --images <dir>); labels are written without their images (count in the summary)`,
        );
      }
      return;
    }
    const target = join(this.out, "images", `${t.stem}${extname(t.imagePath)}`);
    if ((await placeImage(t.imagePath, target, this.force)) !== "kept") {
      this.stats.images++;
      this.stats.files.push(target);
    }
  }
}
