/**
 * The annotation store: what one message does to the data root. The stream order is the truth, so
 * an annotation lives in exactly one place, the one its latest message says:
 *   created, edited -> data-seed/ (not yet validated; an edit after validation leaves data/ again)
 *   validated       -> data/      (the augmentation service's source)
 *   deleted         -> nowhere: data/, data-seed/, its augmented copies in data-processed/ and their
 *                      state record, so the augmentation service neither resurrects nor orphans them
 * A message without an image keeps the picture already stored for the name (seed first, then data);
 * it depends on the state before it, so the consumer commits right after it (see consumer.ts).
 *
 * Every step is idempotent and ordered so that applying a message again after a crash at any point
 * gives the same files: new files are written (label, then image) before old ones are removed, a
 * source leaves data/ before its augmented copies go, and those go before their state record.
 */
import { access, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { formatLabels } from "../core/labels.js";
import type { DataRootLayout, ImageLabelDirs } from "../core/layout.js";
import { augmentPaths, outputStem, VARIANTS } from "../augment/state.js";
import type { DirSync } from "./durable.js";
import { MESSAGE_IMAGE_EXTENSIONS, type AnnotationMessage } from "./message.js";

export type ApplyOutcome =
  | {
      readonly kind: "written";
      readonly folder: "data" | "data-seed";
      readonly image: string;
      readonly label: string;
      /** The message had no image; the stored one was kept. */
      readonly keptImage: boolean;
    }
  | { readonly kind: "deleted"; readonly files: number }
  /** The message cannot be applied (quarantine it): e.g. no image anywhere for a new annotation. */
  | { readonly kind: "rejected"; readonly reason: string };

export class AnnotationStore {
  constructor(private readonly layout: DataRootLayout) {}

  /** The folders the store writes (the consumer sweeps crash leftovers from them at start). */
  get folders(): string[] {
    const { data, seed } = this.layout;
    return [data.images, data.labels, seed.images, seed.labels];
  }

  /**
   * Apply one validated message. Every file is written atomically (temporary file + rename) through
   * `sync`, whose flush() makes the group's files, renames and unlinks durable (the consumer
   * flushes once per group of messages, before storing their offset).
   */
  async apply(m: AnnotationMessage, sync: DirSync): Promise<ApplyOutcome> {
    if (m.status === "deleted") {
      const files = await this.removeEverywhere(m.name, sync);
      return { kind: "deleted", files };
    }
    const validated = m.status === "validated";
    const target = validated ? this.layout.data : this.layout.seed;
    const other = validated ? this.layout.seed : this.layout.data;
    let image = m.image;
    let ext = m.imageExtension;
    if (image === null) {
      const stored = await this.storedImage(m.name);
      if (stored === undefined) {
        return {
          kind: "rejected",
          reason: `a ${m.status} message without an image, and no image is stored for "${m.name}" in data/ or data-seed/`,
        };
      }
      ({ bytes: image, ext } = stored);
    }
    const imagePath = join(target.images, `${m.name}${ext}`);
    const labelPath = join(target.labels, `${m.name}.txt`);
    await sync.write(labelPath, formatLabels(m.detections));
    await sync.write(imagePath, image);
    const stale = MESSAGE_IMAGE_EXTENSIONS.filter((e) => e !== ext).map((e) =>
      join(target.images, `${m.name}${e}`),
    );
    await removeAll(stale, sync);
    await this.removeFrom(other, m.name, sync);
    if (!validated) await this.removeAugmented(m.name, sync);
    return {
      kind: "written",
      folder: validated ? "data" : "data-seed",
      image: imagePath,
      label: labelPath,
      keptImage: m.image === null,
    };
  }

  /** The stored picture of an annotation: data-seed/ first (the newer place when both exist mid-move), then data/. */
  private async storedImage(name: string): Promise<{ bytes: Uint8Array; ext: string } | undefined> {
    for (const dirs of [this.layout.seed, this.layout.data]) {
      for (const ext of MESSAGE_IMAGE_EXTENSIONS) {
        const file = join(dirs.images, `${name}${ext}`);
        try {
          return { bytes: await readFile(file), ext };
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        }
      }
    }
    return undefined;
  }

  private async removeEverywhere(name: string, sync: DirSync): Promise<number> {
    // data/ first: once the source is gone the augmentation service will not process it again.
    let n = await this.removeFrom(this.layout.data, name, sync);
    n += await this.removeFrom(this.layout.seed, name, sync);
    return n + (await this.removeAugmented(name, sync));
  }

  private async removeFrom(dirs: ImageLabelDirs, name: string, sync: DirSync): Promise<number> {
    // Image before label: a reader lists images, and an image without its label reads as background.
    const images = await removeAll(
      MESSAGE_IMAGE_EXTENSIONS.map((e) => join(dirs.images, `${name}${e}`)),
      sync,
    );
    return images + (await removeAll([join(dirs.labels, `${name}.txt`)], sync));
  }

  /** The augmented copies and, last, their state record (augment/state.ts: every output belongs to a record). */
  private async removeAugmented(name: string, sync: DirSync): Promise<number> {
    const p = augmentPaths(dirname(this.layout.processed.images));
    // The record's path as augment/state.ts lays it out (state/<stem>.json). It is written before
    // the first output and removed after the last, so no record means no outputs: skip 16 unlinks.
    const record = join(p.state, `${name}.json`);
    if (!(await exists(record))) return 0;
    const stems = Array.from({ length: VARIANTS }, (_, k) => outputStem(name, k));
    let n = await removeAll(
      stems.map((s) => join(p.images, `${s}.jpg`)),
      sync,
    );
    n += await removeAll(
      stems.map((s) => join(p.labels, `${s}.txt`)),
      sync,
    );
    await sync.remove(record);
    return n;
  }
}

/** Remove files that may not exist (in parallel: the order among them does not matter); how many did. */
async function removeAll(files: readonly string[], sync: DirSync): Promise<number> {
  const removed = await Promise.all(files.map((f) => sync.remove(f)));
  return removed.filter(Boolean).length;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
