/**
 * The data root layout (DESIGN.md, "Data layout"). One place knows the folder names.
 */
import { basename, extname, join } from "node:path";

export const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"] as const;

export function isImageFile(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

/** An images/ + labels/ pair of folders: the unit every tool reads and writes. */
export interface ImageLabelDirs {
  readonly images: string;
  readonly labels: string;
}

export function imageLabelDirs(dir: string): ImageLabelDirs {
  return { images: join(dir, "images"), labels: join(dir, "labels") };
}

/** The label file of an image: images/<stem>.<ext> -> labels/<stem>.txt. */
export function labelPathFor(dirs: ImageLabelDirs, imageName: string): string {
  return join(dirs.labels, `${stemOf(imageName)}.txt`);
}

export function stemOf(fileName: string): string {
  const b = basename(fileName);
  const e = extname(b);
  return e === "" ? b : b.slice(0, -e.length);
}

/** Augmented copies are `<stem>_aug<k>`: they share the source image's group (and split). */
export function sourceStem(stem: string): string {
  return stem.replace(/_aug\d+$/, "");
}

export interface DataRootLayout {
  readonly root: string;
  /** Validated annotations (from the queue). */
  readonly data: ImageLabelDirs;
  /** Created or edited, not yet validated. */
  readonly seed: ImageLabelDirs;
  /** Augmented set (8 per source image): the input of training. */
  readonly processed: ImageLabelDirs;
  readonly datasets: string;
  readonly runs: string;
  readonly queueOffset: string;
}

export function dataRootLayout(root: string): DataRootLayout {
  return {
    root,
    data: imageLabelDirs(join(root, "data")),
    seed: imageLabelDirs(join(root, "data-seed")),
    processed: imageLabelDirs(join(root, "data-processed")),
    datasets: join(root, "datasets"),
    runs: join(root, "runs"),
    queueOffset: join(root, "queue", "offset.yaml"),
  };
}

/** datasets/azaion-YYYY-MM-DD for a date (UTC). */
export function datasetName(date = new Date()): string {
  return `azaion-${date.toISOString().slice(0, 10)}`;
}
