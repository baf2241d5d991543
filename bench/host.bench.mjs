// The host's dataset index at scale, against the built dist/ (npm run build first):
//   node bench/host.bench.mjs [images=100000]
// Makes a folder of N images (hard links to a few synthetic JPEGs and their labels), then times,
// in the same run: the host's index build (dataset.open), the engine's streaming scan that
// `azaion stats` does over the same folder (the reference), queries with filters, and stats.
// Prints the index build's ratio to the scan (lower is faster) and the heap the index holds.
import { existsSync } from "node:fs";
import { link, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist", "src-workers");
if (!existsSync(join(dist, "host", "api", "dataset-build.js"))) {
  process.stderr.write(`not built: run 'npm run build' in ${root}\n`);
  process.exit(1);
}
const { buildIndex, folderShape } = await import(join(dist, "host", "api", "dataset-build.js"));
const { scanDataset } = await import(join(dist, "core", "dataset-scan.js"));
const { DatasetStats } = await import(join(dist, "core", "dataset-stats.js"));
const { ProblemLog } = await import(join(dist, "core", "problems.js"));
const { imageLabelDirs } = await import(join(dist, "core", "layout.js"));
const { classCatalog } = await import(join(dist, "core", "classes.js"));
const { writeSynthDataset } = await import(join(dist, "data", "synth", "index.js"));

const n = Number(process.argv[2] ?? 100_000);
const tmp = await mkdtemp(join(tmpdir(), "azaion-host-bench-"));
try {
  const seed = join(tmp, "seed");
  await writeSynthDataset({ out: seed, count: 40, size: 256, seed: 1 });
  const names = (await readdir(join(seed, "images"))).sort();
  const dir = join(tmp, "big");
  await mkdir(join(dir, "images"), { recursive: true });
  await mkdir(join(dir, "labels"), { recursive: true });
  for (let i = 0; i < n; i++) {
    const name = names[i % names.length];
    const stem = name.slice(0, -4);
    const id = `img${String(i).padStart(7, "0")}`;
    await link(join(seed, "images", name), join(dir, "images", `${id}.jpg`));
    await link(join(seed, "labels", `${stem}.txt`), join(dir, "labels", `${id}.txt`));
  }
  const catalog = classCatalog();

  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let t = performance.now();
  const index = await buildIndex(dir, await folderShape(dir), { id: "bench", catalog });
  const buildS = (performance.now() - t) / 1000;
  globalThis.gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;

  t = performance.now();
  const stats = new DatasetStats(catalog, { imgsz: 1280, tinyBoxPx: 8 });
  for await (const e of scanDataset(imageLabelDirs(dir), { catalog, log: new ProblemLog() })) stats.add(e);
  const scanS = (performance.now() - t) / 1000;

  const queries = [
    {},
    { classes: [41] },
    { modes: ["Night"], minBoxes: 3 },
    { text: "img00999" },
    { problemsOnly: true },
  ];
  const times = [];
  // Best of three: the first run of each includes compiling the filter loop.
  for (const f of queries) {
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      t = performance.now();
      index.query(f, Math.floor(n / 2), 200);
      best = Math.min(best, performance.now() - t);
    }
    times.push(best);
  }
  t = performance.now();
  const s = index.stats({}, 1280, 8);
  const statsMs = performance.now() - t;
  if (s.boxes !== stats.toJSON().boxes)
    throw new Error(`index boxes ${s.boxes} != scan boxes ${stats.toJSON().boxes}`);

  console.log(`images            ${n}`);
  console.log(
    `index build       ${buildS.toFixed(2)} s (${Math.round(n / buildS)} images/s), heap ${heapMb.toFixed(0)} MiB${globalThis.gc ? "" : " (run with --expose-gc for an exact heap)"}`,
  );
  console.log(`reference scan    ${scanS.toFixed(2)} s (azaion stats' streaming scan of the same folder)`);
  console.log(`ratio build/scan  ${(buildS / scanS).toFixed(2)}`);
  console.log(
    `queries (ms)      ${times.map((x) => x.toFixed(1)).join(", ")}  (best of 3: all, class, mode+min, text, problems)`,
  );
  console.log(`stats             ${statsMs.toFixed(0)} ms over all images`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
