/** The image editor's keyboard shortcuts (listed in shortcuts.ts); inactive while typing or in a dialog. */
import { useEffect, useState } from "react";
import type { AppInfo } from "../../../src-workers/host/contract/index.js";
import { classForBase, nextMode } from "./classes.js";
import {
  cycleSelection,
  deleteSelected,
  nudgeSelected,
  redo,
  select,
  setClass,
  setMode,
  toggleLabels,
  undo,
  useEditorStore,
} from "./editor-store.js";
import { actualSize, fitView, zoomBy } from "./view-store.js";

export interface EditorKeyActions {
  prev: () => void;
  next: () => void;
  close: () => void;
  save: () => void;
}

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName);
}

const dialogOpen = () => document.querySelector("dialog[open]") !== null;

/** Installs the shortcuts; returns whether Space is held (for space-drag panning). */
export function useEditorKeys(info: AppInfo | null, actions: EditorKeyActions): boolean {
  const [space, setSpace] = useState(false);

  useEffect(() => {
    const onDown = (e: KeyboardEvent) => {
      if (dialogOpen()) return;
      const ctrl = e.ctrlKey || e.metaKey;
      // Save works even from a field (the class select), as editors do.
      if (ctrl && e.key.toLowerCase() === "s") {
        e.preventDefault();
        actions.save();
        return;
      }
      if (typing(e.target) || e.altKey) return;
      const { selected, boxes } = useEditorStore.getState();
      const box = selected !== null ? boxes[selected] : undefined;
      const key = e.key;
      const run = (action: () => void) => {
        e.preventDefault();
        action();
      };

      if (ctrl) {
        const k = key.toLowerCase();
        if (k === "z" && !e.shiftKey) run(undo);
        else if ((k === "z" && e.shiftKey) || k === "y") run(redo);
        return;
      }
      if (key === " ") {
        // Space on a focused button presses it; elsewhere it is the pan modifier.
        if (e.target instanceof HTMLButtonElement) return;
        run(() => setSpace(true));
        return;
      }
      if (key === "?") return run(() => useEditorStore.setState({ helpOpen: true }));
      if (key === "PageUp") return run(() => actions.prev());
      if (key === "PageDown") return run(() => actions.next());
      if (key === "Escape") return run(() => (box ? select(null) : actions.close()));
      if (key === "Delete" || key === "Backspace") return run(() => deleteSelected());
      if (key === "[" || key === "]") return run(() => cycleSelection(key === "]" ? 1 : -1));
      if (key === "+" || key === "=") return run(() => zoomBy(1.25));
      if (key === "-" || key === "_") return run(() => zoomBy(0.8));
      const lower = key.toLowerCase();
      if (lower === "f") return run(() => (e.shiftKey ? actualSize() : fitView()));
      if (lower === "d")
        return run(() => setMode(useEditorStore.getState().mode === "draw" ? "select" : "draw"));
      if (lower === "v") return run(() => setMode("select"));
      if (lower === "n") return run(() => setMode("draw", true));
      if (lower === "l") return run(toggleLabels);
      if (lower === "w" && box && info) {
        const cls = nextMode(info, box.cls);
        return run(() => cls !== undefined && setClass(cls));
      }
      if (/^[0-9]$/.test(key) && info) {
        const base = key === "0" ? 9 : Number(key) - 1;
        const current = box?.cls ?? useEditorStore.getState().drawClass;
        const cls = classForBase(info, base, current);
        return run(() => cls !== undefined && setClass(cls));
      }
      if (key.startsWith("Arrow")) {
        if (box) {
          const step = e.shiftKey ? 10 : 1;
          const dx = key === "ArrowLeft" ? -step : key === "ArrowRight" ? step : 0;
          const dy = key === "ArrowUp" ? -step : key === "ArrowDown" ? step : 0;
          return run(() => nudgeSelected(dx, dy));
        }
        if (key === "ArrowLeft") return run(() => actions.prev());
        if (key === "ArrowRight") return run(() => actions.next());
      }
    };
    const onUp = (e: KeyboardEvent) => {
      if (e.key === " ") setSpace(false);
    };
    const onBlur = () => setSpace(false);
    window.addEventListener("keydown", onDown);
    window.addEventListener("keyup", onUp);
    window.addEventListener("blur", onBlur);
    return () => {
      window.removeEventListener("keydown", onDown);
      window.removeEventListener("keyup", onUp);
      window.removeEventListener("blur", onBlur);
    };
  }, [info, actions]);

  return space;
}
