import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTINGS_FILE, chooseRoot, loadSettings, saveSettings } from "./app-settings.js";

describe("app settings", () => {
  it("remembers the data root, and reads a bad file as none", async () => {
    const dir = await mkdtemp(join(tmpdir(), "azaion-settings-"));
    try {
      expect(await loadSettings(dir)).toEqual({});
      await saveSettings(dir, { root: "/data/azaion" });
      expect(await loadSettings(dir)).toEqual({ root: "/data/azaion" });
      await writeFile(join(dir, SETTINGS_FILE), '{"root": 7}');
      expect(await loadSettings(dir)).toEqual({});
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("takes --root first, then AZAION_ROOT, then the last root opened, then the config's", () => {
    const saved = { root: "/last" };
    expect(chooseRoot(["electron", ".", "--root", "/flag"], {}, saved, "/config")).toBe("/flag");
    expect(chooseRoot(["electron", ".", "--root=/eq"], {}, saved, "/config")).toBe("/eq");
    expect(chooseRoot(["electron", "."], { AZAION_ROOT: "/env" }, saved, "/env")).toBe("/env");
    expect(chooseRoot(["electron", "."], {}, saved, "/config")).toBe("/last");
    expect(chooseRoot(["electron", "."], {}, {}, "/config")).toBe("/config");
  });
});
