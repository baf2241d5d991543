/** fs.list: a folder listing for the renderer's file chooser (a browser cannot see the host's files). */
import { readdir, stat } from "node:fs/promises";
import { dirname, extname, join, resolve } from "node:path";
import type { FsListing } from "../contract/runs.js";
import { notFound, usage } from "../errors.js";

export async function listDirectory(path: string, extensions?: readonly string[]): Promise<FsListing> {
  const dir = resolve(path);
  const s = await stat(dir).catch(() => undefined);
  if (!s) throw notFound(`no such folder: ${dir}`);
  if (!s.isDirectory()) throw usage(`${dir} is a file, not a folder`);
  const wanted = extensions?.map((e) => (e.startsWith(".") ? e : `.${e}`).toLowerCase());
  const names = await readdir(dir, { withFileTypes: true });
  const entries: FsListing["entries"] = [];
  for (const e of names) {
    if (e.name.startsWith(".")) continue;
    const full = join(dir, e.name);
    let isDir = e.isDirectory();
    let size: number | undefined;
    if (e.isSymbolicLink() || e.isFile()) {
      const t = await stat(full).catch(() => undefined);
      if (!t) continue;
      isDir = t.isDirectory();
      if (!isDir) size = t.size;
    } else if (!isDir) continue;
    if (!isDir && wanted && wanted.length > 0 && !wanted.includes(extname(e.name).toLowerCase())) continue;
    entries.push({ name: e.name, path: full, dir: isDir, ...(size === undefined ? {} : { size }) });
  }
  entries.sort((a, b) =>
    a.dir !== b.dir ? (a.dir ? -1 : 1) : a.name.localeCompare(b.name, "en", { numeric: true }),
  );
  const parent = dirname(dir);
  return { path: dir, parent: parent === dir ? null : parent, entries };
}
