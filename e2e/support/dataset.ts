/** Test data made with the real CLI, and the label files read back the way the tests check them. */
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { azaion } from "../../tests/support/cli.js";

export interface LabelLine {
  readonly cls: number;
  readonly cx: number;
  readonly cy: number;
  readonly w: number;
  readonly h: number;
}

export async function tempRoot(name: string): Promise<{ root: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), `azaion-e2e-${name}-`));
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

/** `azaion synth` into <root>/data (or `out`). */
export async function synth(root: string, count: number, size = 256, out?: string): Promise<void> {
  const args = [
    "--root",
    root,
    "-q",
    "synth",
    "--count",
    String(count),
    "--size",
    String(size),
    "--seed",
    "7",
  ];
  if (out !== undefined) args.push("--out", out);
  const r = await azaion(args);
  if (r.code !== 0) throw new Error(`azaion synth failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
}

export function parseLabels(text: string): LabelLine[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .map((l) => {
      const [cls, cx, cy, w, h] = l.split(/\s+/).map(Number);
      return { cls: cls!, cx: cx!, cy: cy!, w: w!, h: h! };
    });
}

export async function readLabels(file: string): Promise<LabelLine[]> {
  return parseLabels(await readFile(file, "utf8"));
}

/** Every label file of a folder's labels/, by stem. */
export async function labelsByStem(folder: string): Promise<Map<string, LabelLine[]>> {
  const dir = join(folder, "labels");
  const out = new Map<string, LabelLine[]>();
  for (const name of (await readdir(dir)).sort()) {
    if (!name.endsWith(".txt")) continue;
    out.set(name.slice(0, -4), await readLabels(join(dir, name)));
  }
  return out;
}
