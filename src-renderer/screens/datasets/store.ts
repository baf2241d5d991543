/**
 * The Datasets screen's state: the open folder, the filter, and a bounded cache of result pages. Only
 * the pages near the viewport are kept (PAGE_SIZE items each, at most MAX_PAGES), so a folder of 100k
 * images costs the renderer no more than a folder of 2k.
 */
import { create } from "zustand";
import type {
  DatasetFilter,
  DatasetFolder,
  DatasetItem,
  DatasetStats,
} from "../../../src-workers/host/contract/index.js";
import { ApiError, type AzaionApi } from "../../api/types.js";
import { notify } from "../../ui/toast-store.js";

export const PAGE_SIZE = 200;
const MAX_PAGES = 40;

interface DatasetsState {
  folders: DatasetFolder[];
  folder: DatasetFolder | null;
  opening: boolean;
  filter: DatasetFilter;
  /** Images matching the filter (null before the first page arrived). */
  total: number | null;
  /** Bumped when the folder or filter changes: answers for an older generation are dropped. */
  generation: number;
  pages: Map<number, DatasetItem[]>;
  stats: DatasetStats | null;
  statsError: string | null;
  /** The grid's keyboard cursor. */
  active: number;
  /** The image view's item index, or null when the grid shows. */
  viewing: number | null;
  tab: "images" | "stats";
  thumbSize: number;
  /** The grid takes the focus when it shows again (after the image view closed). */
  focusGrid: boolean;
}

export const useDatasetsStore = create<DatasetsState>(() => ({
  folders: [],
  folder: null,
  opening: false,
  filter: {},
  total: null,
  generation: 0,
  pages: new Map(),
  stats: null,
  statsError: null,
  active: 0,
  viewing: null,
  tab: "images",
  thumbSize: 168,
  focusGrid: false,
}));

const set = useDatasetsStore.setState;
const get = useDatasetsStore.getState;

/** Pages asked for and not yet answered, per generation ("gen:page"). */
const inFlight = new Set<string>();
/** Page numbers in least-recently-used order (last = newest). */
let lru: number[] = [];

function touch(page: number): void {
  lru = lru.filter((p) => p !== page);
  lru.push(page);
}

/** Drop the oldest pages beyond MAX_PAGES, but never one of `keep`. */
function evict(pages: Map<number, DatasetItem[]>, keep: ReadonlySet<number>): Map<number, DatasetItem[]> {
  if (pages.size <= MAX_PAGES) return pages;
  const out = new Map(pages);
  for (const p of [...lru]) {
    if (out.size <= MAX_PAGES) break;
    if (keep.has(p)) continue;
    out.delete(p);
    lru = lru.filter((x) => x !== p);
  }
  return out;
}

function resetResults(patch: Partial<DatasetsState>): void {
  inFlight.clear();
  lru = [];
  set((s) => ({
    ...patch,
    total: null,
    pages: new Map(),
    generation: s.generation + 1,
    active: 0,
    viewing: null,
  }));
}

export function itemAt(index: number): DatasetItem | undefined {
  return get().pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
}

async function fetchPage(api: AzaionApi, page: number, keep: ReadonlySet<number>): Promise<void> {
  const { folder, filter, generation } = get();
  if (!folder) return;
  const tag = `${generation}:${page}`;
  if (inFlight.has(tag)) return;
  inFlight.add(tag);
  try {
    const result = await api.call("dataset.query", {
      folder: folder.id,
      filter,
      offset: page * PAGE_SIZE,
      limit: PAGE_SIZE,
    });
    if (get().generation !== generation) return;
    touch(page);
    const pages = new Map(get().pages);
    pages.set(page, result.items);
    set({ pages: evict(pages, keep), total: result.total });
  } catch (e) {
    if (get().generation === generation) notify.error("Could not load images", e);
  } finally {
    inFlight.delete(tag);
  }
}

/** Make sure the pages holding items [first, last] are loaded (or on their way). */
export function ensureRange(api: AzaionApi, first: number, last: number): void {
  const { pages, total } = get();
  const lastItem = total === null ? first : Math.min(last, Math.max(0, total - 1));
  const from = Math.floor(Math.max(0, first) / PAGE_SIZE);
  const to = Math.floor(Math.max(0, lastItem) / PAGE_SIZE);
  const keep = new Set<number>();
  for (let p = from; p <= to; p++) keep.add(p);
  for (const p of keep) {
    if (pages.has(p)) touch(p);
    else void fetchPage(api, p, keep);
  }
}

/** The item at `index`, fetching its page when it is not cached. */
export async function loadItem(api: AzaionApi, index: number): Promise<DatasetItem | undefined> {
  const cached = itemAt(index);
  if (cached) return cached;
  await fetchPage(api, Math.floor(index / PAGE_SIZE), new Set([Math.floor(index / PAGE_SIZE)]));
  return itemAt(index);
}

/** Put a saved or reloaded item back into the cached page that holds it. */
export function replaceItem(item: DatasetItem): void {
  const pages = get().pages;
  for (const [p, items] of pages) {
    const k = items.findIndex((x) => x.key === item.key);
    if (k < 0) continue;
    const next = new Map(pages);
    next.set(
      p,
      items.map((x, i) => (i === k ? item : x)),
    );
    set({ pages: next });
    return;
  }
}

export async function loadFolders(api: AzaionApi): Promise<void> {
  try {
    set({ folders: await api.call("dataset.folders", {}) });
  } catch (e) {
    notify.error("Could not list the data root's folders", e);
  }
}

export async function openFolder(api: AzaionApi, path: string, keepFilter = false): Promise<boolean> {
  set({ opening: true });
  try {
    const folder = await api.call("dataset.open", { path });
    resetResults({ folder, filter: keepFilter ? get().filter : {}, stats: null, statsError: null });
    set((s) => ({ folders: s.folders.map((f) => (f.id === folder.id ? folder : f)) }));
    ensureRange(api, 0, PAGE_SIZE - 1);
    void loadStats(api);
    return true;
  } catch (e) {
    notify.error(`Could not open ${path}`, e);
    return false;
  } finally {
    set({ opening: false });
  }
}

export function setFilter(api: AzaionApi, patch: Partial<DatasetFilter>): void {
  const filter = { ...get().filter, ...patch };
  for (const k of Object.keys(filter) as (keyof DatasetFilter)[]) {
    const v = filter[k];
    if (v === undefined || v === "" || v === false || (Array.isArray(v) && v.length === 0)) delete filter[k];
  }
  applyFilter(api, filter);
}

export function clearFilter(api: AzaionApi): void {
  applyFilter(api, {});
}

/** Show the first page under a new filter; its statistics follow. */
function applyFilter(api: AzaionApi, filter: DatasetFilter): void {
  resetResults({ filter });
  ensureRange(api, 0, PAGE_SIZE - 1);
  scheduleStats(api);
}

let statsTimer: ReturnType<typeof setTimeout> | undefined;
let statsSeq = 0;

/** Statistics follow the filter, a moment after the user stops changing it. */
export function scheduleStats(api: AzaionApi): void {
  clearTimeout(statsTimer);
  statsTimer = setTimeout(() => void loadStats(api), 300);
}

export async function loadStats(api: AzaionApi): Promise<void> {
  const { folder, filter } = get();
  if (!folder) return;
  const seq = ++statsSeq;
  try {
    const stats = await api.call("dataset.stats", { folder: folder.id, filter });
    if (seq === statsSeq) set({ stats, statsError: null });
  } catch (e) {
    if (seq === statsSeq) set({ statsError: e instanceof Error ? e.message : String(e) });
  }
}

/** Label files changed (here, in another window or on disk): reload the cached pages that hold them. */
export function onFolderChanged(api: AzaionApi, folderId: string, keys: readonly string[]): void {
  const { folder, pages } = get();
  if (!folder || folder.id !== folderId) return;
  const changed = new Set(keys);
  const stale = [...pages].filter(([, items]) => items.some((x) => changed.has(x.key))).map(([p]) => p);
  const keep = new Set(stale);
  for (const p of stale) void fetchPage(api, p, keep);
  scheduleStats(api);
}

/**
 * After the socket came back: a restarted host no longer has the folder open, so open it again (same
 * filter); a host that stayed up only gets the pages in view read again.
 */
export async function recoverAfterReconnect(api: AzaionApi): Promise<void> {
  const { folder } = get();
  void loadFolders(api);
  if (!folder) return;
  try {
    await api.call("dataset.query", { folder: folder.id, filter: {}, offset: 0, limit: 1 });
  } catch (e) {
    if (e instanceof ApiError && e.code === "not_found") {
      await openFolder(api, folder.path, true);
      return;
    }
  }
  const keep = new Set(get().pages.keys());
  for (const p of keep) void fetchPage(api, p, keep);
  scheduleStats(api);
}
