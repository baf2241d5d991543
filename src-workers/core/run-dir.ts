/** Output folders of runs (predict, infer): never written over. */
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { AzaionError, UsageError } from "./errors.js";

/**
 * `--out` must be new or empty; without it, a new timestamped folder <runs>/<kind>/<stamp>
 * (with -2, -3, ... when two runs start in the same second).
 */
export async function freshRunDir(
  flag: string | undefined,
  runs: () => string,
  kind: string,
): Promise<string> {
  if (flag !== undefined) {
    const out = resolve(flag);
    const entries = await readdir(out).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return [];
      throw new UsageError(`--out ${flag}: ${e.message}`);
    });
    if (entries.length > 0)
      throw new AzaionError(
        `${out} is not empty; give --out a new folder so no results are written over`,
        "E_OVERWRITE",
      );
    return out;
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const base = join(runs(), kind, stamp);
  for (let k = 1; ; k++) {
    const dir = k === 1 ? base : `${base}-${k}`;
    if ((await stat(dir).catch(() => undefined)) === undefined) return dir;
  }
}
