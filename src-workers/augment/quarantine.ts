/**
 * Sources the service could not use, with the reason: .augment/quarantine.json. An entry keeps the
 * size and time of the files it judged, so an unchanged bad file is not retried every pass while
 * an edited one is; an entry goes when its source is fixed (processed) or deleted.
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../core/labels.js";
import type { FileSig } from "./state.js";

export interface QuarantineEntry {
  readonly stem: string;
  /** The file at fault (the image, or the label for a bad line). */
  readonly file: string;
  readonly reason: string;
  readonly time: string;
  readonly imageSig: FileSig | null;
  readonly labelSig: FileSig | null;
}

interface QuarantineFile {
  readonly updated: string;
  readonly count: number;
  readonly files: readonly QuarantineEntry[];
}

export class Quarantine {
  private readonly entries = new Map<string, QuarantineEntry>();
  private dirty = false;
  /** The write in flight: saves from concurrent jobs go to disk one after another, in call order. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(readonly file: string) {}

  /** The list on disk; a missing or unreadable file starts an empty one (entries are rebuilt as files are retried). */
  static async load(file: string): Promise<Quarantine> {
    const q = new Quarantine(file);
    try {
      const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<QuarantineFile>;
      for (const e of parsed.files ?? []) if (typeof e.stem === "string") q.entries.set(e.stem, e);
    } catch {
      // Nothing yet, or a damaged file: start again.
    }
    return q;
  }

  get size(): number {
    return this.entries.size;
  }

  get(stem: string): QuarantineEntry | undefined {
    return this.entries.get(stem);
  }

  stems(): string[] {
    return [...this.entries.keys()];
  }

  list(): QuarantineEntry[] {
    return [...this.entries.values()];
  }

  add(entry: Omit<QuarantineEntry, "time">): void {
    this.entries.set(entry.stem, { ...entry, time: new Date().toISOString() });
    this.dirty = true;
  }

  remove(stem: string): boolean {
    const had = this.entries.delete(stem);
    if (had) this.dirty = true;
    return had;
  }

  /**
   * Writes the list when it changed, after any write in flight (two overlapping atomic writes could
   * rename in either order and leave the older list on disk); with nothing new, waits for that write.
   * A failed write leaves the list dirty, so the next save tries again.
   */
  async save(): Promise<void> {
    if (!this.dirty) return this.writing.catch(() => undefined);
    this.dirty = false;
    const files = [...this.entries.values()].sort((a, b) => (a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0));
    const body: QuarantineFile = { updated: new Date().toISOString(), count: files.length, files };
    const text = `${JSON.stringify(body, null, 2)}\n`;
    const write = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.file, text));
    this.writing = write;
    try {
      await write;
    } catch (e) {
      this.dirty = true;
      throw e;
    }
  }
}
