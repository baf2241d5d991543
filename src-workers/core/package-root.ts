import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The folder holding package.json and config/: found by walking up from this module (src or dist). */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "config"))) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the azaion package root (package.json beside config/)");
    dir = up;
  }
}

export function defaultConfigDir(): string {
  return join(packageRoot(), "config");
}
