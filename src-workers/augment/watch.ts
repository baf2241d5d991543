/**
 * File events on a source's images/ and labels/, gathered per stem and handed over after a quiet
 * time, so a file still being written (or an image whose label follows) is looked at once, settled.
 */
import { watch, type FSWatcher } from "node:fs";
import { isImageFile, stemOf, type ImageLabelDirs } from "../core/layout.js";

export interface WatchHandlers {
  /** Stems touched since the last call, with the image file names seen for them. */
  readonly onStems: (stems: Map<string, string[]>) => void;
  /** An event without a file name: only a full rescan can tell what changed. */
  readonly onUnknown: () => void;
  readonly onError: (dir: string, reason: string) => void;
}

export class SourceWatcher {
  private readonly watchers: FSWatcher[] = [];
  private dirty = new Map<string, string[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    dirs: ImageLabelDirs,
    private readonly settleMs: number,
    private readonly on: WatchHandlers,
  ) {
    this.watchers.push(this.watchDir(dirs.images, isImageFile));
    this.watchers.push(this.watchDir(dirs.labels, (n) => n.endsWith(".txt")));
  }

  private watchDir(dir: string, wanted: (name: string) => boolean): FSWatcher {
    const w = watch(dir, (_event, name) => {
      if (name === null) return this.on.onUnknown();
      if (!wanted(name)) return; // temporary files of atomic writers, stray files
      const stem = stemOf(name);
      const names = this.dirty.get(stem) ?? [];
      if (isImageFile(name) && !names.includes(name)) names.push(name);
      this.dirty.set(stem, names);
      this.timer ??= setTimeout(() => this.flush(), this.settleMs);
    });
    // A watcher that fails (folder removed) leaves the periodic rescan to notice changes.
    w.on("error", (e) => this.on.onError(dir, `watch failed: ${e.message}`));
    return w;
  }

  private flush(): void {
    this.timer = undefined;
    const stems = this.dirty;
    this.dirty = new Map();
    this.on.onStems(stems);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
  }
}
