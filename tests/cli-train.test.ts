/**
 * `azaion train` as a user runs it (the built CLI in a child process): forming the dataset from the data
 * root, and an exact resume after the process is killed with SIGKILL during training.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { writeFixture } from "../src-workers/core/dataset-fixture.js";
import { colourDataset } from "../src-workers/core/colour-dataset.js";
import { datasetName } from "../src-workers/core/layout.js";
import { loadTrainState } from "../src-workers/yolo/engine/checkpoint.js";
import { loadWeights } from "../src-workers/yolo/io/weights.js";
import { azaion, repoRoot } from "./support/cli.js";

let root: string;
// One thread, no AZAION_TEST_BUILD (the config would take it for a setting).
const env = { AZAION_TEST_BUILD: undefined, OMP_NUM_THREADS: "1" };
const tiny = ["--imgsz", "64", "--workers", "0", "--threads", "1"];

/** results.csv rows without the time column, as numbers. */
async function results(dir: string): Promise<number[][]> {
  const lines = (await readFile(join(dir, "results.csv"), "utf8")).trim().split("\n");
  const cols = lines[0]!.split(",");
  const time = cols.indexOf("time");
  return lines.slice(1).map((l) =>
    l
      .split(",")
      .map(Number)
      .filter((_, i) => i !== time),
  );
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "azaion-cli-train-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("azaion train without --data", () => {
  it("says to run augment when data-processed is empty or missing", async () => {
    const r = await azaion(["--root", join(root, "empty"), "train", "--epochs", "1"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no augmented images in .*data-processed\/images: run 'azaion augment' first/);
  });

  it("forms datasets/azaion-YYYY-MM-DD from data-processed (70/20/10 by source image) and trains on it", async () => {
    const dr = join(root, "dr");
    const images: Record<string, { w: number; h: number }> = {};
    const labels: Record<string, string> = {};
    for (let k = 0; k < 20; k++) {
      for (const stem of [`s${k}`, `s${k}_aug1`]) {
        images[`${stem}.jpg`] = { w: 80, h: 64 };
        labels[`${stem}.txt`] = `${k % 2 === 0 ? 0 : 20} 0.5 0.5 0.4 0.3\n`;
      }
    }
    await writeFixture(join(dr, "data-processed"), { images, labels });
    const args = ["--root", dr, "train", ...tiny, "--batch", "8", "--epochs", "1"];
    const r = await azaion([...args, "--name", "a"], { env });
    expect(r.code, r.stderr).toBe(0);
    const ds = join(dr, "datasets", datasetName());
    expect(r.stdout).toContain(`dataset ${ds}`);
    const yaml = parse(await readFile(join(ds, "data.yaml"), "utf8")) as { nc: number };
    expect(yaml.nc).toBe(80);
    const subsetOf = new Map<string, string>();
    let total = 0;
    for (const s of ["train", "valid", "test"]) {
      const names = await readdir(join(ds, s, "images"));
      total += names.length;
      for (const n of names) subsetOf.set(n, s);
    }
    expect(total).toBe(40);
    for (let k = 0; k < 20; k++) expect(subsetOf.get(`s${k}_aug1.jpg`)).toBe(subsetOf.get(`s${k}.jpg`));
    const run = join(dr, "runs", "a");
    expect(await readFile(join(run, "args.yaml"), "utf8")).toContain(`data: ${join(ds, "data.yaml")}`);
    // The 80-slot scheme: metrics per base class and weather mode beside the per-slot table.
    expect(r.stdout).toMatch(/^base class\s+images/m);
    expect(r.stdout).toMatch(/^weather mode\s+images/m);
    for (const f of ["per_base_class.csv", "per_mode.csv", "confusion_matrix.png", "results.png"])
      expect(existsSync(join(run, f)), f).toBe(true);
    // A second training the same day leaves the first dataset alone.
    const r2 = await azaion([...args, "--name", "b"], { env });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toContain(`dataset ${ds}-2`);
  });
});

describe("azaion train --cache", () => {
  it("gives the same results as decoding every image each time; auto caches a small set", async () => {
    const data = await colourDataset(join(root, "colours-cache"), { train: 8, val: 4 });
    const args = (name: string) => ["--root", root, "train", "--data", data, ...tiny, "--batch", "2", "--epochs", "2", "--seed", "5", "--name", name]; // prettier-ignore
    const plain = await azaion([...args("plain"), "--cache", "false"], { env });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/image cache: off/);
    const cached = await azaion(args("cached"), { env });
    expect(cached.code, cached.stderr).toBe(0);
    expect(cached.stderr).toMatch(
      /image cache: on \(auto: 12 images, 0 MB in 1 loader thread, within a quarter/,
    );
    expect(await readFile(join(root, "runs", "cached", "args.yaml"), "utf8")).toMatch(/^cache: auto$/m);
    const bad = await azaion([...args("bad"), "--cache", "disk"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--cache disk: expected true \(or ram\), false or auto/);
    expect(await results(join(root, "runs", "cached"))).toEqual(await results(join(root, "runs", "plain")));
  });
});

describe("azaion train --resume after kill -9", () => {
  it("continues to the same results.csv and weights as an uninterrupted run", async () => {
    const data = await colourDataset(join(root, "colours"), { train: 8, val: 4 });
    const args = (name: string) => ["--root", root, "train", "--data", data, ...tiny, "--batch", "2", "--epochs", "4", "--seed", "3", "--name", name]; // prettier-ignore
    const full = await azaion(args("full"), { env });
    expect(full.code, full.stderr).toBe(0);

    const dir = join(root, "runs", "killed");
    const state = join(dir, "weights", "last.state.safetensors");
    const child = spawn(process.execPath, [join(repoRoot, "bin", "azaion.js"), ...args("killed")], {
      env: { ...process.env, ...env },
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((res) =>
      child.on("exit", (_c, signal) => res(signal ? -1 : _c)),
    );
    // The first epoch's state is written by rename, so once it is there it is whole; kill at once (during
    // epoch 2, or while the epoch-1 weights are still being written).
    for (let i = 0; i < 1200 && !existsSync(state) && child.exitCode === null; i++)
      await new Promise((r) => setTimeout(r, 25));
    child.kill("SIGKILL");
    expect(await exited).toBe(-1);
    expect(existsSync(state)).toBe(true);
    const st = await loadTrainState(state);
    const killedAfter = st.progress.epoch;
    st.dispose();
    expect(killedAfter, "killed before the last epoch").toBeLessThan(3);

    const resumed = await azaion(
      ["--root", root, "train", "--resume", "--name", "killed", "--threads", "1"],
      { env },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    const a = await results(join(root, "runs", "full"));
    const b = await results(dir);
    expect(b).toHaveLength(4);
    a.forEach((row, i) =>
      row.forEach((v, j) => expect(b[i]![j]!, `row ${i + 1} column ${j}`).toBeCloseTo(v, 5)),
    );
    const wa = await loadWeights(join(root, "runs", "full", "weights", "last.safetensors"));
    const wb = await loadWeights(join(dir, "weights", "last.safetensors"));
    for (const [k, t] of wa.stateDict) expect(wb.stateDict.get(k)!.toNumbers(), k).toEqual(t.toNumbers());
    [wa, wb].forEach((w) => w.stateDict.forEach((t) => t.dispose()));

    // A damaged state is refused, saying so; the run folder is left as it was.
    const bytes = await readFile(state);
    await writeFile(state, bytes.subarray(0, bytes.length >> 1));
    const bad = await azaion(["--root", root, "train", "--resume", "--name", "killed", "--epochs", "5"], {
      env,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/checkpoint cannot be used \(corrupt or incomplete/);
    expect(await results(dir)).toHaveLength(4);
  });
});
