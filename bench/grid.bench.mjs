// The Datasets grid's scrolling at scale, in Chromium against `azaion serve` (npm run build first):
//   node bench/grid.bench.mjs [images=100000] [seconds=3]
// Makes a data root with a small folder (300 images) and a big one (N hard links to the same JPEGs
// and labels). In each folder's grid it first walks the top 300 images until their thumbnails have
// loaded, then scrolls up and down over that same stretch for the same time, one step per animation
// frame, counting the frames the page painted. The small folder is the reference measured in the same
// run: a ratio big/small near 1 says the grid does not slow down with the folder's size. Then it
// scrolls the big folder end to end (mostly placeholders: pages are fetched where the view rests).
// Also prints the worst frame, the most tiles the grid held in the DOM and the page's JS heap.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { link, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = process.env.AZAION_CHROMIUM ?? "/usr/bin/chromium";
for (const need of [join(repo, "dist", "renderer", "index.html"), CHROMIUM]) {
  if (!existsSync(need)) {
    process.stderr.write(`missing ${need}: run 'npm run build' (and install chromium)\n`);
    process.exit(1);
  }
}
const { chromium } = await import("playwright-core");

const n = Number(process.argv[2] ?? 100_000);
const seconds = Number(process.argv[3] ?? 3);
const SMALL = 300;
const cli = join(repo, "bin", "azaion.js");
const tmp = await mkdtemp(join(tmpdir(), "azaion-grid-bench-"));
let server;
let browser;

async function linkFolder(from, to, count) {
  await mkdir(join(to, "images"), { recursive: true });
  await mkdir(join(to, "labels"), { recursive: true });
  const stems = (await readdir(join(from, "images"))).map((f) => f.replace(/\.jpg$/, "")).sort();
  for (let i = 0; i < count; i++) {
    const s = stems[i % stems.length];
    const d = `big_${String(i).padStart(7, "0")}`;
    await link(join(from, "images", `${s}.jpg`), join(to, "images", `${d}.jpg`));
    await link(join(from, "labels", `${s}.txt`), join(to, "labels", `${d}.txt`));
  }
}

function startServer(root) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "--root", root, "serve", "--port", "0"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += String(d);
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) resolve({ child, url: m[0] });
    });
    child.on("exit", (code) => reject(new Error(`azaion serve exited with ${code}: ${out}`)));
  });
}

/* global document, performance, requestAnimationFrame -- scrollFrames' callback runs in the page */

/** Scroll the grid for `secs`, bouncing between the top and `range` px (all of it: null), one step a frame. */
function scrollFrames(page, secs, range) {
  return page.evaluate(
    async ([ms, limit]) => {
      const grid = document.querySelector(".ds-grid");
      const max = Math.min(limit ?? Infinity, grid.scrollHeight - grid.clientHeight);
      grid.scrollTop = 0;
      let frames = 0;
      let worst = 0;
      let tiles = 0;
      let dir = 1;
      let last = performance.now();
      const start = last;
      await new Promise((done) => {
        const step = () => {
          const now = performance.now();
          worst = Math.max(worst, now - last);
          last = now;
          frames++;
          if (grid.scrollTop >= max) dir = -1;
          else if (grid.scrollTop <= 0) dir = 1;
          grid.scrollTop = Math.max(0, Math.min(max, grid.scrollTop + dir * 600));
          tiles = Math.max(tiles, grid.querySelectorAll('[role="option"]').length);
          if (now - start < ms) requestAnimationFrame(step);
          else done();
        };
        requestAnimationFrame(step);
      });
      const heap = performance.memory ? performance.memory.usedJSHeapSize / 1e6 : NaN;
      return { fps: frames / (ms / 1000), worst, tiles, heap, height: grid.scrollHeight };
    },
    [secs * 1000, range],
  );
}

/** Walk the top `range` px a screen at a time, waiting for the thumbnails in view to load. */
async function warmUp(page, range) {
  for (let top = 0; ;) {
    const done = await page.evaluate((t) => {
      const grid = document.querySelector(".ds-grid");
      grid.scrollTop = t;
      return grid.scrollTop < t || t >= grid.scrollHeight - grid.clientHeight;
    }, top);
    // Most of them: a thumbnail the host is slow to make must not stall the run.
    await page
      .waitForFunction(
        () => {
          const imgs = [...document.querySelectorAll(".ds-grid img")];
          return imgs.length > 0 && imgs.filter((i) => i.complete).length >= 0.9 * imgs.length;
        },
        null,
        { timeout: 30_000 },
      )
      .catch(() => undefined);
    top += 700;
    if (done || top > range) return;
  }
}

function report(label, what, r) {
  process.stdout.write(
    `${label.padEnd(16)} ${what.padEnd(22)} ${r.fps.toFixed(1).padStart(5)} frames/s` +
      `  worst frame ${r.worst.toFixed(0).padStart(4)} ms  tiles in DOM <= ${r.tiles}  heap ${r.heap.toFixed(1)} MB` +
      `  (grid ${Math.round(r.height).toLocaleString("en-US")} px tall)\n`,
  );
}

/** Open a folder; the range is the height of the small folder's grid, so both scroll the same stretch. */
async function measure(page, folder, label, range) {
  const t0 = Date.now();
  await page.getByLabel("Dataset folder").selectOption({ value: folder });
  await page.getByRole("option", { name: /^(big_0000000|synth_0_00000):/ }).waitFor({ timeout: 600_000 });
  process.stdout.write(`${label.padEnd(16)} opened in ${Date.now() - t0} ms\n`);
  const height = range ?? (await page.evaluate(() => document.querySelector(".ds-grid").scrollHeight));
  await warmUp(page, height);
  const r = await scrollFrames(page, seconds, height);
  report(label, `top ${SMALL} images`, r);
  return r;
}

try {
  const root = join(tmp, "root");
  const synth = spawnSync(
    process.execPath,
    [cli, "--root", root, "synth", "--count", String(SMALL), "--size", "256"],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  if (synth.status !== 0) throw new Error("azaion synth failed");
  await linkFolder(join(root, "data"), join(root, "datasets", "big"), n);
  server = await startServer(root);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
      "--enable-precise-memory-info",
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(server.url);
  await page.getByRole("status", { name: /Host connection: Connected/ }).waitFor();
  const small = await measure(page, join(root, "data"), `${SMALL} images`);
  const label = `${n.toLocaleString("en-US")} images`;
  const big = await measure(page, join(root, "datasets", "big"), label, small.height);
  report(label, "end to end", await scrollFrames(page, seconds, null));
  process.stdout.write(
    `ratio frames/s ${n} / ${SMALL} images: ${(big.fps / small.fps).toFixed(2)} (1 = as fluid)\n`,
  );
} finally {
  await browser?.close();
  server?.child.kill("SIGINT");
  await rm(tmp, { recursive: true, force: true });
}
