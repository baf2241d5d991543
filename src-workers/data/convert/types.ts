/**
 * The common middle of every conversion: readers turn an annotation format into SourceImages
 * (class names, pixel corners), the mapper turns names into slot ids, writers take TargetImages.
 */
import type { Problem } from "../../core/problems.js";

/** One object as the source format names it, in pixel corners (x1 < x2, y1 < y2 when well formed). */
export interface SourceObject {
  readonly name: string;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** Where in the annotation file, for problems: "annotations[3] (id 57)", "object 2". */
  readonly where: string;
}

export interface SourceImage {
  /** The annotation file this record came from. */
  readonly annotationFile: string;
  /** Where in that file, for problems ("images[4]"); empty for one-file-per-image formats. */
  readonly where: string;
  /** The image's name as the annotation writes it (may hold a relative folder). */
  readonly imageFile: string;
  readonly width: number;
  readonly height: number;
  readonly objects: readonly SourceObject[];
  /** Folders to look for imageFile in, best first: the format decides (VOC: ../JPEGImages). */
  readonly imageDirs: readonly string[];
}

export interface ReadResult {
  readonly images: SourceImage[];
  readonly problems: Problem[];
}

/** A format reader: which annotation files an input holds, and how to read one. */
export interface AnnotationReader {
  files(input: string): Promise<string[]>;
  read(file: string): Promise<ReadResult>;
}

/** A box with its slot id, pixel corners, clipped to the image. */
export interface PixelBox {
  readonly classId: number;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export interface TargetImage {
  readonly annotationFile: string;
  /** Output name stem: labels/<stem>.txt. Unique in a run. */
  readonly stem: string;
  /** The image on disk, when found. */
  readonly imagePath: string | undefined;
  /** The image's file name as it should appear in the output. */
  readonly imageName: string;
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly PixelBox[];
}

/** Counts for the report. */
export interface ObjectCounts {
  mapped: number;
  /** Objects whose label matched no class (skipped). */
  unmapped: number;
  /** Objects a mapping set to null on purpose (skipped without a word). */
  ignored: number;
  /** Objects dropped for bad geometry (reported as problems). */
  dropped: number;
}

/** Anything that counts progress: the CLI's ProgressBar fits. */
export interface ProgressSink {
  tick(n?: number): void;
  finish(): void;
}
export type ProgressFactory = (label: string, total: number) => ProgressSink;
