import { beforeEach, describe, expect, it } from "vitest";
import type { DatasetItem } from "../../../src-workers/host/contract/index.js";
import {
  addBox,
  clampBox,
  commit,
  deleteSelected,
  isDirty,
  loadItem,
  nudgeSelected,
  redo,
  select,
  setClass,
  setMode,
  undo,
  updateBox,
  useEditorStore,
} from "./editor-store.js";

function item(over: Partial<DatasetItem> = {}): DatasetItem {
  return {
    key: "a",
    stem: "a",
    file: "a.jpg",
    width: 100,
    height: 50,
    // The second box pokes out of the image by a rounding error, as label files written elsewhere do.
    boxes: [
      { cls: 1, cx: 0.5, cy: 0.5, w: 0.2, h: 0.2 },
      { cls: 2, cx: 0.932813, cy: 0.5, w: 0.134375, h: 0.1 },
    ],
    revision: "r1",
    problems: [],
    ...over,
  };
}

const state = () => useEditorStore.getState();

describe("editor store", () => {
  beforeEach(() => {
    loadItem(item());
    setMode("select");
  });

  it("keeps boxes it did not touch exactly as the file had them", () => {
    updateBox(0, { cls: 1, cx: 0.4, cy: 0.5, w: 0.2, h: 0.2 });
    expect(state().boxes[1]).toEqual({ cls: 2, cx: 0.932813, cy: 0.5, w: 0.134375, h: 0.1 });
    deleteSelected();
    select(0);
    deleteSelected();
    // After a delete shifts the indices the remaining box is still untouched.
    expect(state().boxes).toEqual([{ cls: 2, cx: 0.932813, cy: 0.5, w: 0.134375, h: 0.1 }]);
  });

  it("clamps a moved box into the image", () => {
    updateBox(0, { cls: 1, cx: 0.95, cy: 0.5, w: 0.2, h: 0.2 });
    const b = state().boxes[0]!;
    expect(b.cx + b.w / 2).toBeLessThanOrEqual(1);
    expect(b.w).toBeCloseTo(0.15, 6);
  });

  it("undoes and redoes each step, and is clean when back at the file's boxes", () => {
    addBox({ cls: 3, cx: 0.2, cy: 0.2, w: 0.1, h: 0.1 });
    expect(state().selected).toBe(2);
    setClass(4);
    expect(state().boxes[2]!.cls).toBe(4);
    expect(isDirty()).toBe(true);
    undo();
    expect(state().boxes[2]!.cls).toBe(3);
    undo();
    expect(state().boxes).toHaveLength(2);
    expect(isDirty()).toBe(false);
    redo();
    redo();
    expect(state().boxes[2]!.cls).toBe(4);
    // A new edit drops the redo branch.
    undo();
    commit(state().boxes.slice(0, 1));
    redo();
    expect(state().boxes).toHaveLength(1);
  });

  it("gives a box under one pixel one pixel", () => {
    const b = clampBox({ cls: 0, cx: 0.5, cy: 0.5, w: 0, h: 0 }, 100, 50);
    expect(b.w).toBeCloseTo(0.01, 6);
    expect(b.h).toBeCloseTo(0.02, 6);
  });

  it("nudges in image pixels and stops at the edge", () => {
    select(0);
    nudgeSelected(10, 0);
    expect(state().boxes[0]!.cx).toBeCloseTo(0.6, 6);
    nudgeSelected(1000, 1000);
    expect(state().boxes[0]!.cx).toBeCloseTo(0.9, 6);
    expect(state().boxes[0]!.cy).toBeCloseTo(0.9, 6);
  });

  it("goes back to select mode after one box in draw-once mode", () => {
    setMode("draw", true);
    addBox({ cls: 0, cx: 0.5, cy: 0.5, w: 0.1, h: 0.1 });
    expect(state().mode).toBe("select");
    setMode("draw");
    addBox({ cls: 0, cx: 0.3, cy: 0.3, w: 0.1, h: 0.1 });
    expect(state().mode).toBe("draw");
  });

  it("sets the class for new boxes when none is selected", () => {
    select(null);
    setClass(7);
    expect(state().drawClass).toBe(7);
    expect(state().boxes.map((b) => b.cls)).toEqual([1, 2]);
    expect(isDirty()).toBe(false);
  });
});
