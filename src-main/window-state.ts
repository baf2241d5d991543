/**
 * The main window's size, position and maximised state, kept in the user data folder between runs.
 * A saved position is used only while it is still on a display (a monitor may have been unplugged);
 * otherwise the window opens centred at its saved size, clamped to the primary display.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../src-workers/core/labels.js";

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const stateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(400).max(20_000),
  height: z.number().int().min(300).max(20_000),
  maximized: z.boolean().default(false),
  zoom: z.number().min(-5).max(5).default(0),
});
export type WindowState = z.infer<typeof stateSchema>;

export const DEFAULT_STATE: WindowState = { width: 1440, height: 900, maximized: false, zoom: 0 };
export const STATE_FILE = "window-state.json";

/** The saved state, or the default when there is none or it cannot be read (never an error at start). */
export async function loadWindowState(dir: string): Promise<WindowState> {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(await readFile(join(dir, STATE_FILE), "utf8")));
    return parsed.success ? parsed.data : DEFAULT_STATE;
  } catch {
    return DEFAULT_STATE;
  }
}

export async function saveWindowState(dir: string, state: WindowState): Promise<void> {
  await writeFileAtomic(join(dir, STATE_FILE), JSON.stringify(stateSchema.parse(state), null, 2) + "\n");
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Where the window opens: the saved bounds when at least a quarter of the window lies on the
 * displays' work areas and its top edge (where the title bar is) lies inside one of them over 100 px
 * or more; else centred on the primary work area, no larger than it.
 */
export function placeWindow(
  state: WindowState,
  workAreas: readonly Rect[],
): Rect | { width: number; height: number } {
  const primary = workAreas[0];
  const fit = (r: { width: number; height: number }) =>
    primary === undefined
      ? r
      : { width: Math.min(r.width, primary.width), height: Math.min(r.height, primary.height) };
  if (state.x === undefined || state.y === undefined) return fit(state);
  const rect: Rect = { x: state.x, y: state.y, width: state.width, height: state.height };
  const topEdgeOn = (a: Rect) =>
    rect.y >= a.y &&
    rect.y + 50 <= a.y + a.height &&
    Math.min(rect.x + rect.width, a.x + a.width) - Math.max(rect.x, a.x) >= 100;
  const shown = workAreas.reduce((sum, a) => sum + overlap(rect, a), 0);
  const visible = shown >= (rect.width * rect.height) / 4 && workAreas.some(topEdgeOn);
  return visible ? rect : fit(state);
}
