/** Zoom and pan of the image view: image pixel (x, y) shows at screen (x * scale + ox, y * scale + oy). */
import { create } from "zustand";

const MIN_SCALE = 0.02;
const MAX_SCALE = 40;

interface ViewState {
  scale: number;
  ox: number;
  oy: number;
  /** The stage's size and the image's, for fitting and zooming about the centre. */
  stageW: number;
  stageH: number;
  imageW: number;
  imageH: number;
}

export const useViewStore = create<ViewState>(() => ({
  scale: 1,
  ox: 0,
  oy: 0,
  stageW: 1,
  stageH: 1,
  imageW: 1,
  imageH: 1,
}));

const set = useViewStore.setState;
const get = useViewStore.getState;

export function fitView(): void {
  const { stageW, stageH, imageW, imageH } = get();
  const margin = 16;
  const scale = Math.max(MIN_SCALE, Math.min((stageW - margin) / imageW, (stageH - margin) / imageH));
  set({ scale, ox: (stageW - imageW * scale) / 2, oy: (stageH - imageH * scale) / 2 });
}

export function setSizes(
  sizes: Partial<Pick<ViewState, "stageW" | "stageH" | "imageW" | "imageH">>,
  refit: boolean,
): void {
  set(sizes);
  if (refit) fitView();
}

/** Zoom by `factor` keeping the screen point (px, py) still (default: the stage's centre). */
export function zoomBy(factor: number, px?: number, py?: number): void {
  const { scale, ox, oy, stageW, stageH } = get();
  const cx = px ?? stageW / 2;
  const cy = py ?? stageH / 2;
  const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * factor));
  const k = next / scale;
  set({ scale: next, ox: cx - (cx - ox) * k, oy: cy - (cy - oy) * k });
}

/** One image pixel per screen pixel, about the centre. */
export function actualSize(): void {
  zoomBy(1 / get().scale);
}

export function panTo(ox: number, oy: number): void {
  set({ ox, oy });
}
