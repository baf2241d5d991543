/**
 * What a pass has to do for each source: nothing (done, or still quarantined and unchanged),
 * process it, or remove its outputs (source deleted). Decided from file sizes and times only, so
 * a rescan of a large, finished set costs a directory listing and a stat per file.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { AzaionError } from "../core/errors.js";
import { isImageFile, stemOf, type ImageLabelDirs } from "../core/layout.js";
import type { SourceJob } from "./processor.js";
import type { Quarantine } from "./quarantine.js";
import { fileSig, sameSig, type FileSig, type SourceRecord } from "./state.js";

/** stem -> image file names with that stem (more than one is an error). */
export type SourceListing = Map<string, string[]>;

export async function listSources(dirs: ImageLabelDirs): Promise<SourceListing> {
  const out: SourceListing = new Map();
  let entries;
  try {
    entries = await readdir(dirs.images, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      throw new AzaionError(
        `no such folder: ${dirs.images} (the source keeps its images in images/)`,
        "E_DATA",
      );
    throw e;
  }
  for (const d of entries) {
    if (!d.isFile() || !isImageFile(d.name)) continue;
    const stem = stemOf(d.name);
    const names = out.get(stem);
    if (names) names.push(d.name);
    else out.set(stem, [d.name]);
  }
  return out;
}

export type Decision =
  | { readonly kind: "done" }
  | { readonly kind: "quarantined" }
  | { readonly kind: "job"; readonly job: SourceJob }
  | {
      readonly kind: "duplicate";
      readonly file: string;
      readonly reason: string;
      readonly imageSig: FileSig | null;
      readonly labelSig: FileSig | null;
    }
  | { readonly kind: "gone" };

export interface DecideContext {
  readonly dirs: ImageLabelDirs;
  readonly seed: number;
  readonly records: ReadonlyMap<string, SourceRecord>;
  readonly quarantine: Quarantine;
}

/** The decision for one stem, given the image names currently listed for it (empty: deleted). */
export async function decide(stem: string, names: readonly string[], ctx: DecideContext): Promise<Decision> {
  const labelPath = join(ctx.dirs.labels, `${stem}.txt`);
  const present: string[] = [];
  let imageSig: FileSig | null = null;
  for (const n of names) {
    const sig = await fileSig(join(ctx.dirs.images, n));
    if (sig === null) continue;
    present.push(n);
    imageSig = sig;
  }
  if (present.length === 0) return { kind: "gone" };
  const labelSig = await fileSig(labelPath);
  const q = ctx.quarantine.get(stem);
  const unchanged = (s: { imageSig: FileSig | null; labelSig: FileSig | null }) =>
    sameSig(s.imageSig, imageSig) && sameSig(s.labelSig, labelSig);
  if (q && unchanged(q)) return { kind: "quarantined" };
  if (present.length > 1) {
    const list = present.sort().join(", ");
    const file = join(ctx.dirs.images, present[0]!);
    return {
      kind: "duplicate",
      file,
      reason: `${present.length} images share the stem "${stem}" (${list})`,
      imageSig,
      labelSig,
    };
  }
  const image = present[0]!;
  const rec = ctx.records.get(stem);
  if (rec && rec.hash !== null && rec.seed === ctx.seed && rec.image === image && unchanged(rec))
    return { kind: "done" };
  const doneHash = rec && rec.seed === ctx.seed && rec.image === image ? rec.hash : null;
  return {
    kind: "job",
    job: { stem, imagePath: join(ctx.dirs.images, image), labelPath, seed: ctx.seed, doneHash },
  };
}
