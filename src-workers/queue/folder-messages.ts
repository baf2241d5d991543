/**
 * A YOLO folder (images/ + labels/) as annotation messages, in file-name order: what
 * `azaion queue publish` replays. A file that cannot become a valid message (bad name, an
 * extension the queue does not carry, a bad label line) is reported and left out.
 */
import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import type { ClassCatalog } from "../core/classes.js";
import { readLabelFile } from "../core/labels.js";
import { imageLabelDirs, isImageFile, stemOf } from "../core/layout.js";
import type { Problem } from "../core/problems.js";
import {
  decodeAnnotation,
  encodeAnnotation,
  MESSAGE_IMAGE_EXTENSIONS,
  type AnnotationMessage,
  type AnnotationSource,
  type AnnotationStatus,
} from "./message.js";

export interface FolderMessageOptions {
  readonly status: AnnotationStatus;
  /** Leave the image out (an edit or validation that keeps the stored picture; always for deletes). */
  readonly withImage: boolean;
  readonly email: string;
  readonly role: number;
  readonly source: AnnotationSource;
}

/** The image files of a folder's images/, sorted. */
export async function listFolderImages(dir: string): Promise<string[]> {
  const { images } = imageLabelDirs(dir);
  const names = await readdir(images).catch((e: NodeJS.ErrnoException) => {
    throw e.code === "ENOENT"
      ? new Error(`no such folder: ${images} (a YOLO folder has images/ and labels/)`)
      : e;
  });
  return names.filter(isImageFile).sort();
}

export async function* folderMessages(
  dir: string,
  names: readonly string[],
  catalog: ClassCatalog,
  opts: FolderMessageOptions,
  onProblem: (p: Problem) => void,
): AsyncGenerator<Uint8Array> {
  const { images, labels } = imageLabelDirs(dir);
  for (const file of names) {
    const imagePath = join(images, file);
    const ext = extname(file).toLowerCase();
    if (!(MESSAGE_IMAGE_EXTENSIONS as readonly string[]).includes(ext)) {
      onProblem({
        severity: "error",
        file: imagePath,
        message: `the queue carries ${MESSAGE_IMAGE_EXTENSIONS.join(" ")} images, not ${ext}`,
      });
      continue;
    }
    const stem = stemOf(file);
    const parsed =
      opts.status === "deleted"
        ? { boxes: [], problems: [] }
        : await readLabelFile(join(labels, `${stem}.txt`), catalog);
    const errors = parsed.problems.filter((p) => p.severity === "error");
    // A missing label file is a background image (no objects), as everywhere else.
    const missing = errors.length === 1 && /ENOENT/.test(errors[0]!.message);
    if (errors.length > 0 && !missing) {
      for (const p of errors) onProblem(p);
      continue;
    }
    const m: AnnotationMessage = {
      name: stem,
      originalMediaName: file,
      time: 0,
      imageExtension: ext,
      detections: parsed.boxes,
      image: opts.withImage && opts.status !== "deleted" ? await readFile(imagePath) : null,
      createdDate: new Date(),
      createdEmail: opts.email,
      createdRole: opts.role,
      source: opts.source,
      status: opts.status,
    };
    const body = encodeAnnotation(m);
    // The consumer's own check, so nothing leaves here that it would quarantine for its form.
    const checked = decodeAnnotation(body, catalog);
    if (!checked.ok) {
      onProblem({ severity: "error", file: imagePath, message: checked.reason });
      continue;
    }
    yield body;
  }
}
