import { describe, expect, it } from "vitest";
import { classCatalog } from "../../core/classes.js";
import { ConfigError } from "../../core/errors.js";
import { classMapper, parseMapping } from "./mapping.js";

const catalog = classCatalog();
const FILE = "map.yaml";

function configError(text: string): ConfigError {
  try {
    parseMapping(text, FILE, catalog);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("class mapping", () => {
  it("accepts a base class, a display name, {class, mode}, a slot id and null", () => {
    const m = parseMapping(
      `default_mode: Wint
classes:
  tank: ArmorVehicle
  "snow truck": { class: Truck, mode: Night }
  plain truck: { class: Truck }
  person: "MilitaryMan (Night)"
  car: 2
  tree: null
`,
      FILE,
      catalog,
    );
    expect(m.resolve("Tank")).toBe(20); // ArmorVehicle in Wint (default_mode)
    expect(m.resolve("snow  TRUCK")).toBe(41);
    expect(m.resolve("plain truck")).toBe(21);
    expect(m.resolve("person")).toBe(46);
    expect(m.resolve("car")).toBe(2);
    expect(m.resolve("tree")).toBeNull();
    // Names the file lacks fall back to the catalog, in the same default mode.
    expect(m.resolve("vehicle")).toBe(22);
    expect(m.resolve("Vehicle (Norm)")).toBe(2);
    expect(m.resolve("dog")).toBeUndefined();
  });

  it("lets --mode override default_mode", () => {
    const m = parseMapping("default_mode: Wint\nclasses: { tank: ArmorVehicle }\n", FILE, catalog, "Night");
    expect(m.resolve("tank")).toBe(40);
    expect(m.resolve("truck")).toBe(41);
  });

  it("resolves without a file by catalog names, case-insensitively", () => {
    const m = classMapper(catalog, "Norm");
    expect(m.resolve("truck")).toBe(1);
    expect(m.resolve("TRUCK (night)")).toBe(41);
    expect(m.resolve("lorry")).toBeUndefined();
  });

  it("names the file and key of every bad entry", () => {
    const e = configError("classes:\n  tank: Tnak\n  car: 17\n  van: { class: Vehicle, mode: Summer }\n");
    expect(e.file).toBe(FILE);
    expect(e.key).toBe("classes.tank");
    expect(e.message).toMatch(/^map\.yaml: /);
    expect(e.message).toMatch(/classes\.tank: unknown class "Tnak"/);
    expect(e.message).toMatch(/classes\.car: class 17 is an unused slot/);
    expect(e.message).toMatch(/classes\.van: unknown weather mode "Summer"/);
  });

  it("reports bad YAML, wrong shapes, unknown default_mode and case-duplicate labels", () => {
    expect(configError("classes: [tank\n").message).toMatch(/map\.yaml: not valid YAML/);
    expect(configError("classes:\n  tank: { klass: Truck }\n").key).toBe("classes.tank");
    expect(configError("clases: {}\n").message).toMatch(/map\.yaml: .*clases/);
    expect(configError("default_mode: Summer\n").key).toBe("default_mode");
    expect(configError("classes:\n  Tank: Truck\n  tank: Truck\n").message).toMatch(
      /"tank" and "Tank" are the same label/,
    );
  });
});
