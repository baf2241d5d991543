/**
 * Lays a split out on disk: <out>/{train,valid,test}/{images,labels} + data.yaml. Files are hard
 * links (no space, instant), copies where linking fails (another file system). Never write into a
 * linked file: that would change the source. The dataset is built in a side folder and renamed into
 * place, so a crash never leaves a half dataset under the real name.
 */
import { randomBytes } from "node:crypto";
import { copyFile, link, mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { ClassCatalog } from "./classes.js";
import { dataYamlText } from "./data-yaml.js";
import type { SplitItem, Subset } from "./dataset-split.js";
import { SUBSETS } from "./dataset-split.js";
import { DataError, OverwriteError } from "./errors.js";
import { formatLabels } from "./labels.js";

export interface WriteOptions {
  readonly catalog: ClassCatalog;
  /** Replace an existing dataset folder (only one that holds a data.yaml, or is empty). */
  readonly force?: boolean;
  readonly concurrency?: number;
  readonly onFile?: () => void;
}

export interface SubsetCounts {
  images: number;
  groups: number;
  boxes: number;
}

export interface WriteResult {
  readonly dir: string;
  readonly counts: Record<Subset, SubsetCounts>;
  readonly linked: number;
  readonly copied: number;
}

export async function writeDataset(
  plan: readonly { item: SplitItem; subset: Subset }[],
  out: string,
  opts: WriteOptions,
): Promise<WriteResult> {
  const dir = resolve(out);
  const existing = await stat(dir).catch(() => undefined);
  if (existing) {
    if (!opts.force) throw new OverwriteError(dir);
    const names = await readdir(dir);
    if (!existing.isDirectory() || (names.length > 0 && !names.includes("data.yaml"))) {
      throw new DataError(
        "not a dataset folder (no data.yaml); refusing to replace it even with --force",
        dir,
      );
    }
  }
  await mkdir(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.${basename(dir)}.partial-${randomBytes(4).toString("hex")}`);
  let linked = 0;
  let copied = 0;
  const place = async (src: string, dst: string) => {
    try {
      await link(src, dst);
      linked++;
    } catch {
      await copyFile(src, dst);
      copied++;
    }
  };
  try {
    for (const s of SUBSETS) {
      await mkdir(join(tmp, s, "images"), { recursive: true });
      await mkdir(join(tmp, s, "labels"), { recursive: true });
    }
    const one = async ({ item, subset }: { item: SplitItem; subset: Subset }) => {
      await place(item.imagePath, join(tmp, subset, "images", item.imageName));
      const label = join(tmp, subset, "labels", `${item.stem}.txt`);
      if (item.rewrite) await writeFile(label, formatLabels(item.rewrite));
      else if (item.labelPath !== undefined) await place(item.labelPath, label);
      else await writeFile(label, ""); // a background image, said explicitly
      opts.onFile?.();
    };
    const limit = Math.max(1, opts.concurrency ?? 32);
    let next = 0;
    const worker = async () => {
      while (next < plan.length) await one(plan[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(limit, plan.length) }, worker));
    await writeFile(join(tmp, "data.yaml"), dataYamlText(dir, opts.catalog));
    if (existing) {
      const old = join(dirname(dir), `.${basename(dir)}.old-${randomBytes(4).toString("hex")}`);
      await rename(dir, old);
      await rename(tmp, dir);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, dir);
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { dir, counts: countSubsets(plan), linked, copied };
}

function countSubsets(plan: readonly { item: SplitItem; subset: Subset }[]): Record<Subset, SubsetCounts> {
  const counts = Object.fromEntries(SUBSETS.map((s) => [s, { images: 0, groups: 0, boxes: 0 }])) as Record<
    Subset,
    SubsetCounts
  >;
  const groups = new Map<Subset, Set<string>>(SUBSETS.map((s) => [s, new Set<string>()]));
  for (const { item, subset } of plan) {
    counts[subset].images++;
    counts[subset].boxes += item.boxes;
    groups.get(subset)!.add(item.stem.replace(/_aug\d+$/, ""));
  }
  for (const s of SUBSETS) counts[s].groups = groups.get(s)!.size;
  return counts;
}
