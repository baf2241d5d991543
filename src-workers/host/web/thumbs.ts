/**
 * JPEG thumbnails for the dataset grid: made with sharp (shrink-on-load keeps big JPEGs cheap), kept
 * in a memory LRU bounded by bytes and on disk under <root>/.cache/thumbs, keyed by the file's path,
 * mtime and size and the thumbnail size, so an edited image gets a new one. A bounded number are made
 * at once; a request whose client went away before its turn is dropped, so scrolling past 100k
 * images never builds a backlog.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { writeFileAtomic } from "../../core/labels.js";

export interface ThumbOptions {
  readonly cacheDir: string;
  readonly memoryBytes?: number;
  readonly concurrency?: number;
}

export interface Thumb {
  readonly data: Buffer;
  readonly etag: string;
}

export class ThumbnailCache {
  private readonly lru = new Map<string, Buffer>();
  private bytes = 0;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private readonly memoryBytes: number;
  private readonly concurrency: number;

  constructor(private readonly o: ThumbOptions) {
    this.memoryBytes = o.memoryBytes ?? 128 * 1024 * 1024;
    this.concurrency = o.concurrency ?? 4;
  }

  /** The thumbnail of `file` with the long side at most `size` px; `cancelled` says the client left. */
  async get(file: string, size: number, cancelled: () => boolean = () => false): Promise<Thumb | undefined> {
    const s = await stat(file);
    const key = createHash("sha1").update(`${file}\0${s.mtimeMs}\0${s.size}\0${size}`).digest("hex");
    const etag = `"t${key.slice(0, 20)}"`;
    const hit = this.lru.get(key);
    if (hit) {
      this.lru.delete(key);
      this.lru.set(key, hit);
      return { data: hit, etag };
    }
    // A second try when the shared job was dropped because its first asker left.
    for (let attempt = 0; attempt < 2; attempt++) {
      let job = this.inflight.get(key);
      if (!job) {
        const disk = join(this.o.cacheDir, key.slice(0, 2), `${key}.jpg`);
        const fromDisk = await readFile(disk).catch(() => undefined);
        if (fromDisk) {
          this.remember(key, fromDisk);
          return { data: fromDisk, etag };
        }
        if (cancelled()) return undefined;
        job = this.make(file, size, disk, cancelled);
        this.inflight.set(key, job);
        const forget = () => {
          if (this.inflight.get(key) === job) this.inflight.delete(key);
        };
        job.then(forget, forget);
      }
      const data = await job;
      if (data.length > 0) {
        this.remember(key, data);
        return { data, etag };
      }
      if (cancelled()) return undefined;
    }
    return undefined;
  }

  private async make(file: string, size: number, disk: string, cancelled: () => boolean): Promise<Buffer> {
    await this.slot();
    try {
      if (cancelled()) return Buffer.alloc(0);
      const data = await sharp(file, { failOn: "none" })
        .rotate()
        .resize(size, size, { fit: "inside", withoutEnlargement: true })
        .jpeg({ quality: 80, mozjpeg: false })
        .toBuffer();
      await writeFileAtomic(disk, data, { fsync: false }).catch(() => undefined);
      return data;
    } finally {
      this.release();
    }
  }

  private remember(key: string, data: Buffer): void {
    if (this.lru.has(key)) return;
    this.lru.set(key, data);
    this.bytes += data.length;
    for (const [k, v] of this.lru) {
      if (this.bytes <= this.memoryBytes) break;
      this.lru.delete(k);
      this.bytes -= v.length;
    }
  }

  private slot(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((r) => this.waiting.push(() => (this.active++, r())));
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }
}
