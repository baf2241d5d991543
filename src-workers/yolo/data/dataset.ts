/**
 * The images of a split and their labels, read once: from an Ultralytics data.yaml (train/val/test
 * relative to `path`: folders, .txt lists, or lists of them) or from an images folder. Labels sit
 * where Ultralytics looks (the last /images/ of the path replaced by /labels/, extension .txt).
 * Every image header and label is checked; an image with an unreadable header or any bad label
 * line is left out and reported (Ultralytics drops those too), never thrown.
 */
import { readdir, readFile } from "node:fs/promises";
import { dirname, extname, isAbsolute, join, resolve, sep } from "node:path";
import { parse } from "yaml";
import type { ClassCatalog } from "../../core/classes.js";
import { readImageHeader } from "../../core/image-header.js";
import { readLabelFile, type YoloBox } from "../../core/labels.js";
import { isImageFile } from "../../core/layout.js";
import type { Problem } from "../../core/problems.js";

export interface DatasetItem {
  readonly file: string;
  /** Size as shown (EXIF orientation applied). */
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly YoloBox[];
}

export interface Dataset {
  readonly items: readonly DatasetItem[];
  /** Class names (data.yaml's names; empty for a bare folder). */
  readonly names: readonly string[];
  /** Everything found wrong: errors (item left out) and warnings (e.g. a clipped box). */
  readonly problems: readonly Problem[];
}

export type DatasetSource =
  { readonly dataYaml: string; readonly split: "train" | "val" | "test" } | { readonly images: string };

export interface DatasetOptions {
  /** Class count for label checks; data.yaml's names by default, unchecked for a bare folder. */
  readonly nc?: number;
}

export async function loadDataset(src: DatasetSource, opts: DatasetOptions = {}): Promise<Dataset> {
  let roots: string[];
  let names: string[] = [];
  if ("dataYaml" in src) {
    const y = parse(await readFile(src.dataYaml, "utf8")) as Record<string, unknown>;
    const base = resolve(dirname(src.dataYaml), typeof y.path === "string" ? y.path : ".");
    const entry = y[src.split];
    if (entry === undefined || entry === null) throw new Error(`${src.dataYaml} has no "${src.split}" split`);
    roots = (Array.isArray(entry) ? entry : [entry]).map((p) => (isAbsolute(String(p)) ? String(p) : join(base, String(p)))); // prettier-ignore
    names = Array.isArray(y.names)
      ? y.names.map(String)
      : Object.entries((y.names ?? {}) as Record<string, unknown>)
          .sort((a, b) => Number(a[0]) - Number(b[0]))
          .map(([, v]) => String(v));
  } else roots = [resolve(src.images)];
  const nc = opts.nc ?? (names.length > 0 ? names.length : undefined);
  const files: string[] = [];
  for (const r of roots) files.push(...(await imageFiles(r)));
  files.sort();
  const catalog = classCheck(nc);
  const problems: Problem[] = [];
  const items: DatasetItem[] = [];
  const CHUNK = 32;
  for (let i = 0; i < files.length; i += CHUNK) {
    const done = await Promise.all(files.slice(i, i + CHUNK).map((f) => checkItem(f, catalog)));
    for (const d of done) {
      problems.push(...d.problems);
      if (d.item) items.push(d.item);
    }
  }
  return { items, names, problems };
}

/** Ultralytics' img2label_paths. */
export function labelPathOf(image: string): string {
  const sa = `${sep}images${sep}`;
  const k = image.lastIndexOf(sa);
  const p = k < 0 ? image : `${image.slice(0, k)}${sep}labels${sep}${image.slice(k + sa.length)}`;
  const e = extname(p);
  return `${e ? p.slice(0, -e.length) : p}.txt`;
}

async function imageFiles(root: string): Promise<string[]> {
  if (root.endsWith(".txt")) {
    const lines = (await readFile(root, "utf8")).split(/\r?\n/).map((l) => l.trim());
    return lines.filter((l) => l !== "" && isImageFile(l)).map((l) => resolve(dirname(root), l));
  }
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && isImageFile(e.name))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

async function checkItem(
  file: string,
  catalog: ClassCatalog,
): Promise<{ item?: DatasetItem; problems: Problem[] }> {
  let width: number;
  let height: number;
  try {
    ({ width, height } = await readImageHeader(file));
  } catch (e) {
    return { problems: [{ severity: "error", file, message: `image left out: ${(e as Error).message}` }] };
  }
  const labelFile = labelPathOf(file);
  const parsed = await readLabelFile(labelFile, catalog);
  const missing = parsed.problems.length === 1 && /ENOENT/.test(parsed.problems[0]!.message);
  if (missing) return { item: { file, width, height, boxes: [] }, problems: [] }; // background image
  if (parsed.problems.some((p) => p.severity === "error"))
    return {
      problems: [
        ...parsed.problems,
        { severity: "error", file, message: `image left out: its label ${labelFile} has errors` },
      ],
    };
  return { item: { file, width, height, boxes: parsed.boxes }, problems: parsed.problems };
}

/**
 * parseLabelLine asks the catalog only whyInvalid(id); a training split is checked against its
 * own nc, not the Azaion class slots.
 */
function classCheck(nc: number | undefined): ClassCatalog {
  const whyInvalid = (id: number): string | undefined =>
    nc !== undefined && id >= nc
      ? `class ${id} is outside the dataset's ${nc} classes (0-${nc - 1})`
      : undefined;
  return { whyInvalid } as unknown as ClassCatalog;
}
