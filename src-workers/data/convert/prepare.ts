/**
 * Source records -> target images: names to slot ids (unmapped names counted, the first of each
 * reported), boxes checked and clipped, image files found on disk, duplicate output names refused.
 */
import { access } from "node:fs/promises";
import { basename, isAbsolute, join } from "node:path";
import { stemOf } from "../../core/layout.js";
import type { ProblemLog } from "../../core/problems.js";
import { checkBox } from "./geometry.js";
import type { ClassMapper } from "./mapping.js";
import type { ObjectCounts, PixelBox, SourceImage, TargetImage } from "./types.js";

export interface Tally {
  readonly counts: ObjectCounts;
  /** Unmapped label -> number of objects skipped. */
  readonly unmapped: Map<string, number>;
  /** Slot id -> number of boxes written. */
  readonly perClass: Map<number, number>;
}

export function newTally(): Tally {
  return {
    counts: { mapped: 0, unmapped: 0, ignored: 0, dropped: 0 },
    unmapped: new Map(),
    perClass: new Map(),
  };
}

export class Preparer {
  /** Output stem (lower case: Windows and macOS disks ignore case) -> the record that took it. */
  private readonly stems = new Map<string, string>();

  constructor(
    private readonly mapper: ClassMapper,
    private readonly log: ProblemLog,
    private readonly tally: Tally,
    /** --images: look only here. */
    private readonly imagesDir?: string,
  ) {}

  /** The target of one source image, or undefined when it must be skipped (reported). */
  async prepare(src: SourceImage): Promise<TargetImage | undefined> {
    const file = src.annotationFile;
    const field = src.where === "" ? undefined : src.where;
    const imageName = basename(src.imageFile.replace(/\\/g, "/"));
    const stem = stemOf(imageName);
    const here = `${file}${field ? ` ${field}` : ""}`;
    const taken = this.stems.get(stem.toLowerCase());
    if (taken !== undefined) {
      this.log.error(
        file,
        `image "${src.imageFile}" has the same name as ${taken}; skipped (output names must be unique)`,
        undefined,
        field,
      );
      return undefined;
    }
    this.stems.set(stem.toLowerCase(), `"${src.imageFile}" in ${here}`);

    const boxes: PixelBox[] = [];
    for (const o of src.objects) {
      const id = this.mapper.resolve(o.name);
      if (id === null) {
        this.tally.counts.ignored++;
        continue;
      }
      if (id === undefined) {
        this.unmapped(o.name, file, o.where);
        continue;
      }
      const check = checkBox(id, o.x1, o.y1, o.x2, o.y2, src.width, src.height);
      if ("error" in check) {
        this.tally.counts.dropped++;
        this.log.error(file, `"${o.name}": ${check.error}; object skipped`, undefined, o.where);
        continue;
      }
      if (check.warning !== undefined)
        this.log.warning(file, `"${o.name}": ${check.warning}`, undefined, o.where);
      this.tally.counts.mapped++;
      this.tally.perClass.set(id, (this.tally.perClass.get(id) ?? 0) + 1);
      boxes.push(check.box);
    }
    const imagePath = await this.findImage(src);
    return { annotationFile: file, stem, imagePath, imageName, width: src.width, height: src.height, boxes };
  }

  private unmapped(name: string, file: string, where: string): void {
    this.tally.counts.unmapped++;
    const n = this.tally.unmapped.get(name) ?? 0;
    this.tally.unmapped.set(name, n + 1);
    if (n === 0) {
      this.log.warning(
        file,
        `label "${name}" matches no class; its objects are skipped (add it to a --mapping file; counts at the end)`,
        undefined,
        where,
      );
    }
  }

  private async findImage(src: SourceImage): Promise<string | undefined> {
    const name = src.imageFile.replace(/\\/g, "/");
    const dirs = this.imagesDir === undefined ? src.imageDirs : [this.imagesDir];
    const candidates = dirs.flatMap((d) => [join(d, name), join(d, basename(name))]);
    if (isAbsolute(name) && this.imagesDir === undefined) candidates.unshift(name);
    for (const c of candidates) {
      if (
        await access(c).then(
          () => true,
          () => false,
        )
      )
        return c;
    }
    return undefined;
  }
}
