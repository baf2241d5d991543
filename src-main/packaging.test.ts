/**
 * electron-builder.yml, checked as configuration (packaging itself needs Electron's binary and the
 * packaging tools, which cannot be downloaded here): the fields a Linux AppImage/deb and a Windows
 * NSIS build need, and that its file patterns take in what the build really produces.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { globMatches } from "./glob.js";

const repo = join(import.meta.dirname, "..");
const config = parse(readFileSync(join(repo, "electron-builder.yml"), "utf8")) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
  main?: string;
  version: string;
};

type Target = { target: string; arch: string[] };
const targets = (os: string): Target[] => (config[os] as { target: Target[] }).target ?? [];
const patterns = (key: string): string[] => config[key] as string[];

/** electron-builder's rule: a path is in when the last pattern matching it is not a negation. */
function included(file: string, list: string[]): boolean {
  let inside = false;
  for (const p of list) {
    const neg = p.startsWith("!");
    if (globMatches(file, neg ? p.slice(1) : p)) inside = !neg;
  }
  return inside;
}

describe("electron-builder.yml", () => {
  it("names the app and builds AppImage + deb for Linux and NSIS for Windows, x64", () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe("Azaion Workstation");
    expect(
      targets("linux")
        .map((t) => t.target)
        .sort(),
    ).toEqual(["AppImage", "deb"]);
    expect(targets("win").map((t) => t.target)).toEqual(["nsis"]);
    for (const t of [...targets("linux"), ...targets("win")]) expect(t.arch).toEqual(["x64"]);
    expect((config.directories as { output: string }).output).toBe("release");
  });

  it("packs the built main, preload, workers, renderer and the CLI entry, without tests or maps", () => {
    expect(pkg.main).toBe("dist/src-main/main.js");
    const files = patterns("files");
    for (const f of [
      "package.json",
      pkg.main!,
      "dist/src-main/preload.cjs",
      "dist/src-workers/host/worker-main.js",
      "dist/src-workers/cli/main.js",
      "dist/renderer/index.html",
      "dist/renderer/assets/index-abc123.js",
      "bin/azaion.js",
      "config/default.yaml",
      "config/classes.yaml",
      "native/torch/build/Release/azaion_torch.node",
    ])
      expect(included(f, files), f).toBe(true);
    for (const f of ["dist/src-main/main.js.map", "dist/src-workers/core/config.test.js", "src-main/main.ts"])
      expect(included(f, files), f).toBe(false);
  });

  it("keeps native code out of the asar archive: the libtorch addon, ONNX Runtime, sharp", () => {
    const unpack = patterns("asarUnpack");
    expect(config.asar).toBe(true);
    for (const f of [
      "native/torch/build/Release/azaion_torch.node",
      "node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node",
      "node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1",
      "node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll",
      "node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node",
      "node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.17.3",
    ])
      expect(included(f, unpack), f).toBe(true);
    expect(included("dist/src-main/main.js", unpack)).toBe(false);
  });

  it("copies config/ beside the app and has icons that exist and are what they claim", () => {
    const extra = config.extraResources as { from: string; to: string }[];
    expect(extra).toContainEqual(expect.objectContaining({ from: "config", to: "config" }));
    for (const e of extra) expect(existsSync(join(repo, e.from)), e.from).toBe(true);

    const linuxIcons = join(repo, (config.linux as { icon: string }).icon);
    for (const s of [16, 32, 48, 64, 128, 256, 512]) {
      const png = readFileSync(join(linuxIcons, `${s}x${s}.png`));
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([s, s]);
    }
    // Windows: an ICO whose entries include 256 px (stored as 0), which NSIS and Explorer need.
    const ico = readFileSync(join(repo, (config.win as { icon: string }).icon));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const n = ico.readUInt16LE(4);
    const widths = Array.from({ length: n }, (_, i) => ico.readUInt8(6 + 16 * i) || 256);
    expect(widths).toContain(256);
    for (let i = 0; i < n; i++) {
      const [size, at] = [ico.readUInt32LE(6 + 16 * i + 8), ico.readUInt32LE(6 + 16 * i + 12)];
      expect(at + size).toBeLessThanOrEqual(ico.length);
      expect(ico.subarray(at + 1, at + 4).toString()).toBe("PNG");
    }
  });

  it("declares what the deb needs from the system at run time", () => {
    const deps = (config.deb as { depends: string[] }).depends;
    for (const d of ["ffmpeg", "libtorch-dev"]) expect(deps).toContain(d);
  });
});
