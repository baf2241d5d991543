/**
 * YOLO label files: `class cx cy w h` per line, normalised to 0-1.
 * Parsing is strict (every bad line is a problem naming file:line:field) but forgiving where a
 * person would be: a box that pokes slightly out of the image is clipped with a warning, not dropped.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import type { ClassCatalog } from "./classes.js";
import type { Problem } from "./problems.js";

export interface YoloBox {
  readonly classId: number;
  readonly cx: number;
  readonly cy: number;
  readonly w: number;
  readonly h: number;
}

export interface ParsedLabels {
  readonly boxes: YoloBox[];
  readonly problems: Problem[];
}

/** Values this close outside 0-1 are float noise (1.0000001), clamped without a word. */
const FLOAT_SLACK = 1e-6;
const FIELDS = ["class", "cx", "cy", "w", "h"] as const;

/** Parse the text of one label file. Bad lines are left out of `boxes` and reported in `problems`. */
export function parseLabels(text: string, file: string, catalog: ClassCatalog): ParsedLabels {
  const boxes: YoloBox[] = [];
  const problems: Problem[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === "") continue;
    const result = parseLabelLine(raw, file, i + 1, catalog);
    problems.push(...result.problems);
    if (result.box) boxes.push(result.box);
  }
  return { boxes, problems };
}

export function parseLabelLine(
  raw: string,
  file: string,
  line: number,
  catalog: ClassCatalog,
): { box?: YoloBox; problems: Problem[] } {
  const problems: Problem[] = [];
  const err = (message: string, field?: string) =>
    problems.push({ severity: "error", file, line, message, ...(field ? { field } : {}) });
  const fields = raw.split(/\s+/);
  if (fields.length !== 5) {
    err(`expected 5 fields (class cx cy w h), found ${fields.length}: "${clip(raw)}"`);
    return { problems };
  }
  const [classText, ...numText] = fields as [string, string, string, string, string];
  if (!/^\d+$/.test(classText)) {
    err(`class "${clip(classText)}" is not a whole number`, "class");
    return { problems };
  }
  const classId = Number(classText);
  const why = catalog.whyInvalid(classId);
  if (why !== undefined) {
    err(why, "class");
    return { problems };
  }
  const values: number[] = [];
  for (let k = 0; k < 4; k++) {
    const t = numText[k]!;
    const v = Number(t);
    if (t === "" || !Number.isFinite(v)) {
      err(`${FIELDS[k + 1]} "${clip(t)}" is not a finite number`, FIELDS[k + 1]);
      return { problems };
    }
    values.push(v);
  }
  let [cx, cy, w, h] = values as [number, number, number, number];
  for (const [k, v] of [cx, cy, w, h].entries()) {
    const f = FIELDS[k + 1]!;
    if (k >= 2 && v <= 0) {
      err(`${f} ${v} must be greater than 0`, f);
      return { problems };
    }
    if (v < -FLOAT_SLACK || v > 1 + FLOAT_SLACK) {
      err(`${f} ${v} is outside 0-1 (labels are normalised to the image size)`, f);
      return { problems };
    }
  }
  [cx, cy, w, h] = [cx, cy, w, h].map((v) => Math.min(1, Math.max(0, v))) as [number, number, number, number];
  // Clip the box's extent to the image: keep the part that is inside, axis by axis.
  const outside = Math.max(-(cx - w / 2), cx + w / 2 - 1, -(cy - h / 2), cy + h / 2 - 1);
  if (outside > FLOAT_SLACK) {
    [cx, w] = clipAxis(cx, w);
    [cy, h] = clipAxis(cy, h);
    if (w <= 0 || h <= 0) {
      err("box lies entirely outside the image");
      return { problems };
    }
    problems.push({
      severity: "warning",
      file,
      line,
      message: `box extends ${outside.toFixed(4)} outside the image; clipped`,
    });
  }
  return { box: { classId, cx, cy, w, h }, problems };
}

function clipAxis(c: number, size: number): [number, number] {
  const lo = c - size / 2;
  const hi = c + size / 2;
  if (lo >= -FLOAT_SLACK && hi <= 1 + FLOAT_SLACK) return [c, size];
  const a = Math.max(0, lo);
  const b = Math.min(1, hi);
  return [(a + b) / 2, b - a];
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** YOLO text for boxes: six decimals, as Ultralytics writes them. */
export function formatLabels(boxes: readonly YoloBox[]): string {
  return boxes
    .map((b) => `${b.classId} ${b.cx.toFixed(6)} ${b.cy.toFixed(6)} ${b.w.toFixed(6)} ${b.h.toFixed(6)}\n`)
    .join("");
}

export async function readLabelFile(file: string, catalog: ClassCatalog): Promise<ParsedLabels> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    return {
      boxes: [],
      problems: [{ severity: "error", file, message: `cannot read label file: ${(e as Error).message}` }],
    };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
  } catch {
    return { boxes: [], problems: [{ severity: "error", file, message: "label file is not UTF-8 text" }] };
  }
  return parseLabels(text, file, catalog);
}

/**
 * Write a file so that a crash leaves either the old content or the new one, never half:
 * write a temporary file beside it, fsync, rename over. `fsync: false` leaves the fsync to a
 * caller that syncs many files at once (the queue's group commit): still atomic, not yet durable.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  o: { readonly fsync?: boolean } = {},
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(data);
    if (o.fsync ?? true) await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await rename(tmp, file);
}

export async function writeLabelFile(file: string, boxes: readonly YoloBox[]): Promise<void> {
  await writeFileAtomic(file, formatLabels(boxes));
}
