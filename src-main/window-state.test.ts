import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_STATE, STATE_FILE, loadWindowState, placeWindow, saveWindowState } from "./window-state.js";

let dir: string;
beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "azaion-winstate-"))));
afterEach(() => rm(dir, { recursive: true, force: true }));

const laptop = { x: 0, y: 0, width: 1920, height: 1040 };
const right = { x: 1920, y: 0, width: 2560, height: 1400 };

describe("window state", () => {
  it("round-trips through the state file and falls back to the default on a bad or missing one", async () => {
    expect(await loadWindowState(dir)).toEqual(DEFAULT_STATE);
    const s = { x: 100, y: 80, width: 1200, height: 800, maximized: true, zoom: 1 };
    await saveWindowState(dir, s);
    expect(await loadWindowState(dir)).toEqual(s);
    await writeFile(join(dir, STATE_FILE), '{"width": 12, "height": "tall"}');
    expect(await loadWindowState(dir)).toEqual(DEFAULT_STATE);
    await writeFile(join(dir, STATE_FILE), "not json");
    expect(await loadWindowState(dir)).toEqual(DEFAULT_STATE);
  });

  it("refuses to save a state that could not be shown", async () => {
    await expect(saveWindowState(dir, { ...DEFAULT_STATE, width: 10 })).rejects.toThrow();
    await expect(readFile(join(dir, STATE_FILE))).rejects.toThrow();
  });

  it("reopens where it was while that place is still on a display, else centred and fitted", () => {
    const onRight = { x: 2000, y: 100, width: 1600, height: 1000, maximized: false, zoom: 0 };
    expect(placeWindow(onRight, [laptop, right])).toEqual({ x: 2000, y: 100, width: 1600, height: 1000 });
    // The right monitor was unplugged: no position, and no larger than the laptop's work area.
    expect(placeWindow({ ...onRight, width: 2400 }, [laptop])).toEqual({ width: 1920, height: 1000 });
    // Title bar above the top of every display: cannot be grabbed, so not used.
    expect(placeWindow({ ...onRight, x: 100, y: -45 }, [laptop])).toEqual({ width: 1600, height: 1000 });
    expect(placeWindow(DEFAULT_STATE, [laptop])).toEqual({ width: 1440, height: 900 });
  });
});
