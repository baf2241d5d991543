import { describe, expect, it } from "vitest";
import { classCatalog, parseClassesFile } from "./classes.js";
import { ClassIdError, ConfigError } from "./errors.js";

const catalog = classCatalog();

describe("class system", () => {
  it("lays 17 base classes x 3 weather modes into 80 slots, 51 used", () => {
    expect(catalog.slots).toBe(80);
    expect(catalog.baseClasses).toHaveLength(17);
    expect(catalog.modes.map((m) => [m.name, m.offset])).toEqual([
      ["Norm", 0],
      ["Wint", 20],
      ["Night", 40],
    ]);
    const used = catalog.usedIds();
    expect(used).toHaveLength(51);
    expect(used.slice(0, 17)).toEqual([...Array(17).keys()]);
    expect(used.slice(17, 34)).toEqual([...Array(17).keys()].map((i) => i + 20));
    expect(used.slice(34)).toEqual([...Array(17).keys()].map((i) => i + 40));
  });

  it("maps ids to (base class, mode) and back", () => {
    expect(catalog.slot(41).base.name).toBe("Truck");
    expect(catalog.slot(41).mode.name).toBe("Night");
    expect(catalog.displayName(41)).toBe("Truck (Night)");
    expect(catalog.displayName(0)).toBe("ArmorVehicle (Norm)");
    expect(catalog.displayName(36)).toBe("Caponier (Wint)");
    expect(catalog.idOf("Truck", "Night")).toBe(41);
    expect(catalog.idOf("caponier", "wint")).toBe(36);
    expect(catalog.idOf(3, 1)).toBe(23);
    for (const id of catalog.usedIds()) {
      const s = catalog.slot(id);
      expect(catalog.idOf(s.base.name, s.mode.name)).toBe(id);
    }
  });

  it("gives one colour per base class, shared by its weather modes", () => {
    const colours = new Set(catalog.baseClasses.map((c) => c.colour));
    expect(colours.size).toBe(17);
    expect(catalog.colour(1)).toBe(catalog.colour(21));
    expect(catalog.colour(1)).toBe(catalog.colour(41));
    expect(catalog.colour(1)).toMatch(/^#[0-9a-f]{6}$/);
  });

  it("rejects unused and out-of-range slots with a clear error", () => {
    expect(() => catalog.slot(17)).toThrow(ClassIdError);
    expect(() => catalog.slot(17)).toThrow(/class 17 is an unused slot \(used slots: 0-16, 20-36, 40-56\)/);
    expect(() => catalog.slot(93)).toThrow(/class 93 is outside the 80 class slots/);
    expect(() => catalog.slot(-1)).toThrow(/outside/);
    expect(() => catalog.slot(1.5)).toThrow(/not an integer/);
    expect(catalog.isUsed(57)).toBe(false);
    expect(catalog.isUsed(56)).toBe(true);
    expect(() => catalog.idOf("Tank", "Norm")).toThrow(/unknown base class "Tank"/);
    expect(() => catalog.idOf("Truck", "Rain")).toThrow(/unknown weather mode "Rain"/);
  });

  it("resolves names: display names, base names with a default mode, case-insensitive", () => {
    expect(catalog.resolveName("Truck (Night)")).toBe(41);
    expect(catalog.resolveName("truck(night)")).toBe(41);
    expect(catalog.resolveName("TRUCK")).toBe(1);
    expect(catalog.resolveName("Truck", "Wint")).toBe(21);
    expect(catalog.resolveName("tank")).toBeUndefined();
  });

  it("names all 80 slots for data.yaml", () => {
    const names = catalog.slotNames();
    expect(names).toHaveLength(80);
    expect(names[0]).toBe("ArmorVehicle (Norm)");
    expect(names[17]).toBe("unused_17");
    expect(names[56]).toBe("Caponier (Night)");
    expect(names[79]).toBe("unused_79");
  });

  it("validates the class table and names the file and key", () => {
    expect(() => parseClassesFile("slots: 80\nmodes: []\nclasses: []\n", "x.yaml")).toThrow(ConfigError);
    expect(() => parseClassesFile("slots: 80\nmodes: []\nclasses: []\n", "x.yaml")).toThrow(/x\.yaml: modes/);
    expect(() =>
      parseClassesFile(
        "slots: 80\nmodes: [{name: A, offset: 0}]\nclasses: [{name: B, colour: red}]\n",
        "y.yaml",
      ),
    ).toThrow(/y\.yaml: classes\.0\.colour: a colour is #rrggbb/);
    expect(() =>
      parseClassesFile(
        "slots: 4\nmodes: [{name: A, offset: 0}, {name: C, offset: 2}]\nclasses: [{name: B, colour: '#000000'}, {name: D, colour: '#111111'}, {name: E, colour: '#222222'}]\n",
        "z.yaml",
      ),
    ).toThrow(/slot 2 is used twice/);
  });
});
