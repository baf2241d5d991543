/**
 * The image editor's state for the one image it shows: its boxes, the selection, and undo/redo
 * history (per image: opening another image starts a fresh history). Boxes are kept YOLO-normalised,
 * as the label file holds them.
 */
import { create } from "zustand";
import type { Box, DatasetItem } from "../../../src-workers/host/contract/index.js";

const HISTORY_LIMIT = 200;
/** An image the host could not read still has its boxes edited on a square of this size. */
export const FALLBACK_SIZE = 640;

function sizeOf(item: DatasetItem): { width: number; height: number } {
  return { width: item.width || FALLBACK_SIZE, height: item.height || FALLBACK_SIZE };
}

export type EditorMode = "select" | "draw";

interface EditorState {
  item: DatasetItem | null;
  boxes: Box[];
  past: Box[][];
  future: Box[][];
  selected: number | null;
  mode: EditorMode;
  /** Class for new boxes (the last one chosen). */
  drawClass: number;
  saving: boolean;
  /** The host refused the save: the file changed since it was read. */
  conflict: string | null;
  helpOpen: boolean;
  /** Class names drawn above the boxes ("L" toggles: dense images read better without). */
  showLabels: boolean;
  /** "N": back to select mode after one box. */
  drawOnce: boolean;
  /** Leaving the image with unsaved edits waits for the person's answer (save / discard / stay). */
  pendingLeave: (() => void) | null;
}

export const useEditorStore = create<EditorState>(() => ({
  item: null,
  boxes: [],
  past: [],
  future: [],
  selected: null,
  mode: "select",
  drawClass: 0,
  saving: false,
  conflict: null,
  helpOpen: false,
  showLabels: true,
  drawOnce: false,
  pendingLeave: null,
}));

const set = useEditorStore.setState;
const get = useEditorStore.getState;

export function isDirty(): boolean {
  return get().past.length > 0 && !sameBoxes(get().boxes, get().item?.boxes ?? []);
}

export function useDirty(): boolean {
  return useEditorStore((s) => s.past.length > 0 && !sameBoxes(s.boxes, s.item?.boxes ?? []));
}

function sameBoxes(a: readonly Box[], b: readonly Box[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    return x.cls === y.cls && x.cx === y.cx && x.cy === y.cy && x.w === y.w && x.h === y.h;
  });
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** A box kept inside the image, with a size of at least one pixel. */
export function clampBox(b: Box, width: number, height: number): Box {
  const minW = 1 / Math.max(1, width);
  const minH = 1 / Math.max(1, height);
  let x0 = clamp01(b.cx - b.w / 2);
  let y0 = clamp01(b.cy - b.h / 2);
  let x1 = clamp01(b.cx + b.w / 2);
  let y1 = clamp01(b.cy + b.h / 2);
  if (x1 - x0 < minW) {
    x1 = Math.min(1, x0 + minW);
    x0 = Math.max(0, x1 - minW);
  }
  if (y1 - y0 < minH) {
    y1 = Math.min(1, y0 + minH);
    y0 = Math.max(0, y1 - minH);
  }
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  return { cls: b.cls, cx: r((x0 + x1) / 2), cy: r((y0 + y1) / 2), w: r(x1 - x0), h: r(y1 - y0) };
}

/** Show an item; keeps the history when it is the same image at the same revision. */
export function loadItem(item: DatasetItem, keepSelection = false): void {
  set((s) => ({
    item,
    boxes: item.boxes.map((b) => ({ ...b })),
    past: [],
    future: [],
    selected: keepSelection && s.selected !== null && s.selected < item.boxes.length ? s.selected : null,
    conflict: null,
    saving: false,
  }));
}

/** Replace the boxes as one undoable step. */
export function commit(boxes: Box[], selected: number | null = get().selected): void {
  const { item } = get();
  if (!item) return;
  // Only boxes that changed are clamped: the others stay exactly as the file had them.
  const before = new Set(get().boxes);
  const { width, height } = sizeOf(item);
  const clamped = boxes.map((b) => (before.has(b) ? b : clampBox(b, width, height)));
  if (sameBoxes(clamped, get().boxes)) {
    set({ selected });
    return;
  }
  set((s) => ({
    past: [...s.past, s.boxes].slice(-HISTORY_LIMIT),
    future: [],
    boxes: clamped,
    selected,
  }));
}

export function undo(): void {
  const { past, boxes, future } = get();
  const prev = past[past.length - 1];
  if (!prev) return;
  set({ past: past.slice(0, -1), future: [boxes, ...future], boxes: prev, selected: null });
}

export function redo(): void {
  const { past, boxes, future } = get();
  const next = future[0];
  if (!next) return;
  set({ past: [...past, boxes], future: future.slice(1), boxes: next, selected: null });
}

export function addBox(box: Box): void {
  const boxes = [...get().boxes, box];
  commit(boxes, boxes.length - 1);
  if (get().drawOnce) set({ mode: "select", drawOnce: false });
}

export function updateBox(index: number, box: Box): void {
  commit(get().boxes.map((b, i) => (i === index ? box : b)));
}

export function deleteSelected(): void {
  const { selected, boxes } = get();
  if (selected === null) return;
  commit(
    boxes.filter((_, i) => i !== selected),
    null,
  );
}

export function setClass(cls: number): void {
  const { selected, boxes } = get();
  set({ drawClass: cls });
  if (selected === null) return;
  const box = boxes[selected];
  if (box && box.cls !== cls) updateBox(selected, { ...box, cls });
}

export function select(index: number | null): void {
  set({ selected: index });
}

/** Select the next (or previous) box, wrapping. */
export function cycleSelection(step: 1 | -1): void {
  const { selected, boxes } = get();
  if (boxes.length === 0) return;
  const from = selected ?? (step === 1 ? -1 : 0);
  set({ selected: (from + step + boxes.length) % boxes.length });
}

/** Move the selected box by a number of image pixels. */
export function nudgeSelected(dxPx: number, dyPx: number): void {
  const { selected, boxes, item } = get();
  if (selected === null || !item) return;
  const b = boxes[selected];
  if (!b) return;
  const { width, height } = sizeOf(item);
  const dx = dxPx / width;
  const dy = dyPx / height;
  const cx = Math.min(1 - b.w / 2, Math.max(b.w / 2, b.cx + dx));
  const cy = Math.min(1 - b.h / 2, Math.max(b.h / 2, b.cy + dy));
  updateBox(selected, { ...b, cx, cy });
}

export function setMode(mode: EditorMode, once = false): void {
  set({ mode, drawOnce: mode === "draw" && once });
}

export function toggleLabels(): void {
  set((s) => ({ showLabels: !s.showLabels }));
}
