/**
 * The renderer the server serves is dist/renderer (vite's output). While people edit src-renderer the
 * build may be older than the sources: rebuild it once, under a lock, when any source is newer, so the
 * tests always drive the UI as it is written. CI builds it in set-up, so there this finds it fresh.
 */
import { execFile } from "node:child_process";
import { mkdir, readdir, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../tests/support/cli.js";

const run = promisify(execFile);
const sources = [join(repoRoot, "src-renderer"), join(repoRoot, "src-workers", "host", "contract")];
const index = join(repoRoot, "dist", "renderer", "index.html");
const lock = join(repoRoot, "dist", ".renderer-build.lock");

async function newest(dir: string): Promise<number> {
  let latest = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name === "node_modules") continue;
    const p = join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? await newest(p) : (await stat(p)).mtimeMs);
  }
  return latest;
}

async function builtAt(): Promise<number> {
  try {
    return (await stat(index)).mtimeMs;
  } catch {
    return 0;
  }
}

async function stale(): Promise<boolean> {
  const src = Math.max(...(await Promise.all(sources.map(newest))));
  return (await builtAt()) < src;
}

/** Takes the lock (a directory: mkdir is atomic), waiting while another test file builds. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  await mkdir(join(repoRoot, "dist"), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`renderer build lock ${lock} held too long`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(lock);
  }
}

export async function ensureRendererBuilt(): Promise<void> {
  if (!(await stale())) return;
  await withLock(async () => {
    if (!(await stale())) return;
    try {
      await run(
        process.execPath,
        [
          join(repoRoot, "node_modules", "vite", "bin", "vite.js"),
          "build",
          "--config",
          "src-renderer/vite.config.ts",
          "--logLevel",
          "warn",
        ],
        { cwd: repoRoot, maxBuffer: 1 << 24 },
      );
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`renderer build failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
    }
  });
}
