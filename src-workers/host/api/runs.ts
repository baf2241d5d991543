/** runs.list / runs.get: training runs under <root>/runs/, read from the files the trainer writes. */
import { open, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { RunDetail, RunSummary } from "../contract/runs.js";
import { notFound } from "../errors.js";

const MAP50 = "metrics/mAP50(B)";
const MAP5095 = "metrics/mAP50-95(B)";
const IMAGE = /\.(png|jpe?g)$/i;
const SAMPLE = /^epoch(\d+)_\d+\.(png|jpe?g)$/i;

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined)) !== undefined;
}

/** A CSV with a header row (the trainer's: no quoting, comma-separated) as records. */
export function parseCsv(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) return [];
  const head = lines[0]!.split(",").map((h) => h.trim());
  return lines.slice(1).map((l) => {
    const cells = l.split(",");
    return Object.fromEntries(head.map((h, k) => [h, (cells[k] ?? "").trim()]));
  });
}

function numericRows(rows: Record<string, string>[]): Record<string, number>[] {
  return rows.map((r) =>
    Object.fromEntries(
      Object.entries(r)
        .map(([k, v]) => [k, Number(v)] as const)
        .filter(([, v]) => Number.isFinite(v)),
    ),
  );
}

async function readArgs(dir: string): Promise<Record<string, unknown>> {
  try {
    const v: unknown = parseYaml(await readFile(join(dir, "args.yaml"), "utf8"));
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Header JSON over this size is not a checkpoint of ours (a YOLO11x header is ~100 KB). */
const MAX_HEADER = 16 * 1024 * 1024;

/**
 * The `__metadata__` of a .safetensors file, read from its header alone; {} when unreadable. Not through
 * torch.openSafetensors: that loads libtorch, seconds the host does not spend to list runs.
 */
export async function safetensorsMetadata(path: string): Promise<Record<string, string>> {
  const fh = await open(path, "r").catch(() => undefined);
  if (!fh) return {};
  try {
    const len = Buffer.alloc(8);
    if ((await fh.read(len, 0, 8, 0)).bytesRead < 8) return {};
    const n = Number(len.readBigUInt64LE(0));
    if (n < 2 || n > MAX_HEADER) return {};
    const head = Buffer.alloc(n);
    if ((await fh.read(head, 0, n, 8)).bytesRead < n) return {};
    const v: unknown = JSON.parse(head.toString("utf8"));
    const meta =
      v !== null && typeof v === "object" ? (v as Record<string, unknown>)["__metadata__"] : undefined;
    if (meta === null || typeof meta !== "object") return {};
    return Object.fromEntries(
      Object.entries(meta as Record<string, unknown>).filter(
        (e): e is [string, string] => typeof e[1] === "string",
      ),
    );
  } catch {
    return {};
  } finally {
    await fh.close();
  }
}

/**
 * The model of a run: args.yaml holds only the trainer's arguments (its `scale` is the augmentation's), so
 * the architecture comes from the checkpoints' metadata (`scale`, as the trainer saves it): "yolo11n".
 */
async function runModel(dir: string, args: Record<string, unknown>): Promise<string | undefined> {
  if (typeof args.model === "string" && args.model !== "") return args.model;
  for (const f of ["best.safetensors", "last.safetensors"]) {
    const m = await safetensorsMetadata(join(dir, "weights", f));
    if (m.scale) return `yolo11${m.scale}`;
  }
  const st = await safetensorsMetadata(join(dir, "weights", "last.state.safetensors"));
  try {
    const info: unknown = JSON.parse(st.model ?? "null");
    const scale = info !== null && typeof info === "object" ? (info as { scale?: unknown }).scale : undefined;
    return typeof scale === "string" && scale !== "" ? `yolo11${scale}` : undefined;
  } catch {
    return undefined;
  }
}

async function readResults(dir: string): Promise<Record<string, number>[]> {
  const text = await readFile(join(dir, "results.csv"), "utf8").catch(() => "");
  return numericRows(parseCsv(text));
}

async function summary(
  dir: string,
  name: string,
): Promise<{ s: RunSummary; args: Record<string, unknown>; results: Record<string, number>[] }> {
  const [args, results, st] = await Promise.all([readArgs(dir), readResults(dir), stat(dir)]);
  const model = await runModel(dir, args);
  const best = join(dir, "weights", "best.safetensors");
  const last = join(dir, "weights", "last.safetensors");
  const exportsDir = join(dir, "exports");
  const exported = (await readdir(exportsDir).catch(() => [] as string[]))
    .sort()
    .map((f) => join(exportsDir, f));
  const maxOf = (k: string) => {
    const v = results.map((r) => r[k]).filter((x): x is number => x !== undefined);
    return v.length > 0 ? Math.max(...v) : undefined;
  };
  const map50 = maxOf(MAP50);
  const map5095 = maxOf(MAP5095);
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const s: RunSummary = {
    name,
    path: dir,
    ...(model === undefined ? {} : { model }),
    ...(num(args.imgsz) === undefined ? {} : { imgsz: num(args.imgsz)! }),
    ...(num(args.epochs) === undefined ? {} : { epochs: num(args.epochs)! }),
    epochsDone: results.length,
    ...(map50 === undefined ? {} : { bestMap50: map50 }),
    ...(map5095 === undefined ? {} : { bestMap5095: map5095 }),
    ...((await exists(best)) ? { best } : {}),
    ...((await exists(last)) ? { last } : {}),
    resumable: await exists(join(dir, "weights", "last.state.safetensors")),
    exports: exported,
    modifiedAt: st.mtime.toISOString(),
  };
  return { s, args, results };
}

/** Folders of runs/ that look like training runs (args.yaml, results.csv or weights/), newest first. */
export async function listRuns(runsDir: string): Promise<RunSummary[]> {
  const entries = await readdir(runsDir, { withFileTypes: true }).catch(() => []);
  const out: RunSummary[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith(".")) continue;
    const dir = join(runsDir, e.name);
    const marks = await Promise.all(["args.yaml", "results.csv", "weights"].map((f) => exists(join(dir, f))));
    if (!marks.some(Boolean)) continue;
    out.push((await summary(dir, e.name)).s);
  }
  return out.sort((a, b) => (a.modifiedAt < b.modifiedAt ? 1 : a.modifiedAt > b.modifiedAt ? -1 : 0));
}

export async function runDetail(runsDir: string, name: string): Promise<RunDetail> {
  if (name.includes("/") || name.includes("\\") || name === ".." || name === ".")
    throw notFound(`no run "${name}" (a run is named by its folder under ${runsDir})`);
  const dir = join(runsDir, name);
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw notFound(`no run folder ${dir}`);
  const { s, args, results } = await summary(dir, name);
  const perClass = parseCsv(await readFile(join(dir, "per_class.csv"), "utf8").catch(() => ""));
  const top = (await readdir(dir).catch(() => [] as string[])).filter((f) => IMAGE.test(f)).sort();
  const sampleDir = join(dir, "samples");
  const sampleFiles = (await readdir(sampleDir).catch(() => [] as string[]))
    .filter((f) => SAMPLE.test(f))
    .sort();
  const byEpoch = new Map<number, string[]>();
  for (const f of sampleFiles) {
    const epoch = Number(SAMPLE.exec(f)![1]);
    byEpoch.set(epoch, [...(byEpoch.get(epoch) ?? []), join(sampleDir, f)]);
  }
  return {
    ...s,
    args,
    results,
    perClass,
    images: [...top.map((f) => join(dir, f)), ...sampleFiles.map((f) => join(sampleDir, f))],
    samples: [...byEpoch].sort((a, b) => a[0] - b[0]).map(([epoch, files]) => ({ epoch, files })),
  };
}
