import { describe, expect, it } from "vitest";
import type { AppInfo } from "../../../src-workers/host/contract/index.js";
import { classForBase, nextMode } from "./classes.js";

const modes = [
  ["Norm", 0],
  ["Wint", 20],
  ["Night", 40],
] as const;
const bases = ["ArmorVehicle", "Truck"];
const info: AppInfo = {
  version: "0",
  root: "/r",
  host: "browser",
  slots: 80,
  modes: modes.map(([m]) => m),
  baseClasses: bases.map((name, index) => ({ index, name, colour: "#ffffff" })),
  // Truck has no Wint class here: next mode skips what the table lacks.
  classes: modes.flatMap(([mode, offset]) =>
    bases
      .map((base, baseIndex) => ({
        id: baseIndex + offset,
        name: `${base} (${mode})`,
        base,
        baseIndex,
        mode,
        colour: "#fff",
      }))
      .filter((c) => !(c.base === "Truck" && c.mode === "Wint")),
  ),
  devices: ["cpu"],
};

describe("editor class keys", () => {
  it("picks a base class in the box's own weather mode", () => {
    expect(classForBase(info, 1, 40)).toBe(41);
    expect(classForBase(info, 0, 41)).toBe(40);
    expect(classForBase(info, 1, 0)).toBe(1);
  });

  it("falls back to another mode when the table lacks the base in this one", () => {
    expect(classForBase(info, 1, 20)).toBe(1);
    expect(classForBase(info, 5, 0)).toBeUndefined();
  });

  it("cycles weather modes, skipping missing classes", () => {
    expect(nextMode(info, 0)).toBe(20);
    expect(nextMode(info, 20)).toBe(40);
    expect(nextMode(info, 40)).toBe(0);
    expect(nextMode(info, 1)).toBe(41);
    expect(nextMode(info, 99)).toBeUndefined();
  });
});
