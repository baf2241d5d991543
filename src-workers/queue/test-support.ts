/**
 * Test helpers for the queue: a seeded generator of annotation message sequences, the expected
 * disk state of a sequence (an in-memory model of store.ts's rules, written independently of it),
 * and a snapshot of what is on disk, to compare the two. Used by tests only.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeJpeg } from "../augment/test-support.js";
import { classCatalog } from "../core/classes.js";
import { formatLabels } from "../core/labels.js";
import { mulberry32 } from "../core/random.js";
import type { AnnotationMessage, AnnotationStatus, Detection } from "./message.js";

export interface ExpectedEntry {
  readonly folder: "data" | "data-seed";
  readonly ext: string;
  readonly image: Buffer;
  readonly label: string;
}

export interface Expected {
  readonly files: Map<string, ExpectedEntry>;
  /** Names whose augmented copies (planted by the test) must still be there. */
  readonly augmented: Set<string>;
}

export function emptyExpected(augmented: Iterable<string> = []): Expected {
  return { files: new Map(), augmented: new Set(augmented) };
}

/** Apply one message to the model; false when the consumer must quarantine it (no image anywhere). */
export function expectMessage(e: Expected, m: AnnotationMessage): boolean {
  if (m.status !== "validated") e.augmented.delete(m.name);
  if (m.status === "deleted") {
    e.files.delete(m.name);
    return true;
  }
  const prev = e.files.get(m.name);
  if (m.image === null && prev === undefined) return false;
  e.files.set(m.name, {
    folder: m.status === "validated" ? "data" : "data-seed",
    ext: m.image === null ? prev!.ext : m.imageExtension,
    image: m.image === null ? prev!.image : Buffer.from(m.image),
    label: formatLabels(m.detections),
  });
  return true;
}

/** Up to `pool` distinct tiny JPEGs (8x8, a few hundred bytes), made once. */
export async function tinyJpegs(pool: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < pool; i++) out.push(await makeJpeg(i, 8, 8));
  return out;
}

/**
 * `count` messages over `names` annotations with every status: creates, edits and validations with
 * and without an image, deletes, and re-creates after a delete. Image-less messages only for names
 * that have a stored image, so nothing in the sequence is quarantined.
 */
export function messageSequence(
  count: number,
  names: number,
  images: Buffer[],
  seed = 1,
): AnnotationMessage[] {
  const rnd = mulberry32(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const ids = classCatalog().usedIds();
  const model = emptyExpected();
  const out: AnnotationMessage[] = [];
  const weights: [AnnotationStatus, number][] = [
    ["created", 0.3],
    ["edited", 0.25],
    ["validated", 0.25],
    ["deleted", 0.2],
  ];
  while (out.length < count) {
    const name = `ann-${String(Math.floor(rnd() * names)).padStart(4, "0")}`;
    let r = rnd();
    let status: AnnotationStatus = "created";
    for (const [s, w] of weights) {
      if (r < w) {
        status = s;
        break;
      }
      r -= w;
    }
    const known = model.files.has(name);
    const withImage = status === "created" || (status !== "deleted" && (!known || rnd() < 0.5));
    const detections: Detection[] = [];
    const boxes = Math.floor(rnd() * 4);
    for (let b = 0; b < boxes; b++) {
      const d = {
        classId: pick(ids),
        cx: r6(0.3 + rnd() * 0.4),
        cy: r6(0.3 + rnd() * 0.4),
        w: r6(0.05 + rnd() * 0.3),
        h: r6(0.05 + rnd() * 0.3),
      };
      detections.push(rnd() < 0.5 ? d : { ...d, confidence: r6(rnd()) });
    }
    const m: AnnotationMessage = {
      name,
      originalMediaName: `video-${name}.mp4`,
      time: Math.floor(rnd() * 600_000),
      imageExtension: ".jpg",
      detections,
      image: withImage ? pick(images) : null,
      createdDate: new Date(1_700_000_000_000 + out.length * 1000),
      createdEmail: "annotator@example.com",
      createdRole: 1,
      source: rnd() < 0.5 ? "ai" : "manual",
      status,
    };
    expectMessage(model, m);
    out.push(m);
  }
  return out;
}

function r6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** Fake augmented copies + state record for `name` in <root>/data-processed (as augment lays them out). */
export async function plantAugmented(root: string, name: string): Promise<void> {
  const p = join(root, "data-processed");
  for (const sub of ["images", "labels", join(".augment", "state")])
    await mkdir(join(p, sub), { recursive: true });
  for (let k = 0; k < 8; k++) {
    await writeFile(join(p, "images", `${name}_aug${k}.jpg`), "jpeg");
    await writeFile(join(p, "labels", `${name}_aug${k}.txt`), "");
  }
  await writeFile(join(p, ".augment", "state", `${name}.json`), "{}\n");
}

export interface DiskState {
  readonly files: Map<string, ExpectedEntry>;
  /** Names with augmented copies: every one must have all 16 files and its record. */
  readonly augmented: Set<string>;
  /** Anything else found: stray files, half-removed augmented sets, temporaries. */
  readonly strays: string[];
}

/** What the consumer left under `root`, in the shape of Expected. */
export async function diskState(root: string): Promise<DiskState> {
  const files = new Map<string, ExpectedEntry>();
  const strays: string[] = [];
  const ls = async (d: string) => (existsSync(d) ? (await readdir(d)).sort() : []);
  for (const folder of ["data", "data-seed"] as const) {
    const images = await ls(join(root, folder, "images"));
    const labels = new Set(await ls(join(root, folder, "labels")));
    for (const file of images) {
      const m = /^(.+)(\.jpg)$/.exec(file);
      if (m === null || files.has(m[1]!) || !labels.has(`${m[1]}.txt`)) {
        strays.push(`${folder}/images/${file}`);
        continue;
      }
      labels.delete(`${m[1]}.txt`);
      const image = await readFile(join(root, folder, "images", file));
      const label = await readFile(join(root, folder, "labels", `${m[1]}.txt`), "utf8");
      files.set(m[1]!, { folder, ext: m[2]!, image, label });
    }
    for (const l of labels) strays.push(`${folder}/labels/${l}`);
  }
  const augmented = new Set<string>();
  const p = join(root, "data-processed");
  const count = new Map<string, number>();
  for (const sub of ["images", "labels"]) {
    for (const f of await ls(join(p, sub))) {
      const name = f.replace(/_aug\d\.(jpg|txt)$/, "");
      count.set(name, (count.get(name) ?? 0) + 1);
    }
  }
  const records = new Set((await ls(join(p, ".augment", "state"))).map((f) => f.replace(/\.json$/, "")));
  for (const [name, n] of count) {
    if (n === 16 && records.has(name)) augmented.add(name);
    else
      strays.push(`data-processed: ${name} has ${n} of 16 files${records.has(name) ? "" : " and no record"}`);
  }
  for (const r of records)
    if (!count.has(r)) strays.push(`data-processed/.augment/state/${r}.json without outputs`);
  return { files, augmented, strays };
}
