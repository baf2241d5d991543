/**
 * Whether to keep decoded images in RAM. The cache holds the same pixels a fresh decode gives, so
 * it changes speed, never results; the only cost is memory. "auto" (the default) caches when the
 * images fit in a quarter of the memory available now, counting one copy per loader thread (each
 * thread keeps its own, and mosaic draws every image into every thread sooner or later).
 */
import { freemem } from "node:os";

export type CacheMode = boolean | "auto";

export interface CacheDecision {
  readonly cache: boolean;
  /** Bytes the train + val caches take when on (all loader threads together). */
  readonly bytes: number;
  /** One line for the log. */
  readonly reason: string;
}

/** Share of the available memory "auto" lets the caches take. */
export const AUTO_CACHE_SHARE = 0.25;

interface Sized {
  readonly width: number;
  readonly height: number;
}

/** Bytes of one image as cached: train images resized to imgsz on the long side, val ones letterboxed. */
function trainBytes(it: Sized, imgsz: number): number {
  const r = Math.min(1, imgsz / Math.max(it.width, it.height)) || 1;
  return Math.ceil(it.width * r) * Math.ceil(it.height * r) * 3;
}

export function decideCache(
  mode: CacheMode,
  o: {
    readonly train: readonly Sized[];
    readonly val: readonly Sized[];
    readonly imgsz: number;
    /** Loader threads (0: the main thread, which counts as one copy). */
    readonly threads: number;
    readonly available?: number;
  },
): CacheDecision {
  const copies = Math.max(1, o.threads);
  let one = o.val.length * o.imgsz * o.imgsz * 3;
  for (const it of o.train) one += trainBytes(it, o.imgsz);
  const bytes = one * copies;
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  const size = `${o.train.length + o.val.length} images, ${mb(bytes)} in ${copies} loader thread${copies > 1 ? "s" : ""}`;
  if (mode !== "auto") return { cache: mode, bytes, reason: mode ? `on (${size})` : "off" };
  const available = o.available ?? freemem();
  const budget = available * AUTO_CACHE_SHARE;
  return bytes <= budget
    ? { cache: true, bytes, reason: `on (auto: ${size}, within a quarter of ${mb(available)} available)` }
    : {
        cache: false,
        bytes,
        reason: `off (auto: ${size} would pass a quarter of ${mb(available)} available)`,
      };
}
