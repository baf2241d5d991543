import { describe, expect, it } from "vitest";
import { plural } from "./plural.js";

describe("plural", () => {
  it("puts the noun in the singular for exactly one", () => {
    expect(plural(1, "warning")).toBe("1 warning");
    expect(plural(0, "warning")).toBe("0 warnings");
    expect(plural(2, "error")).toBe("2 errors");
    expect(plural(1, "box", "boxes")).toBe("1 box");
    expect(plural(3, "box", "boxes")).toBe("3 boxes");
  });
});
