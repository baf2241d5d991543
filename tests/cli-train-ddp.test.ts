/**
 * `azaion train --nproc 2` as a user runs it: the launcher spawns 2 ranks of itself (Gloo over 127.0.0.1),
 * one run folder comes out, written by rank 0 alone; a rank whose peers never come fails with a timeout.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { colourDataset } from "../src-workers/core/colour-dataset.js";
import { freePort } from "../src-workers/core/free-port.js";
import { loadWeights } from "../src-workers/yolo/io/weights.js";
import { azaion, repoRoot } from "./support/cli.js";

let root: string;
let data: string;
const env = { AZAION_TEST_BUILD: undefined, OMP_NUM_THREADS: "1", AZAION_TORCH__THREADS: "1" };
const tiny = ["--imgsz", "64", "--workers", "0", "--epochs", "1"];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "azaion-cli-ddp-"));
  data = await colourDataset(join(root, "ds"), { train: 8, val: 4, fixedSize: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("azaion train --nproc 2", () => {
  it("trains 1 epoch in 2 processes into one run folder that rank 0 writes", async () => {
    const r = await azaion(["--root", root, "train", "--data", data, "--nproc", "2", "--batch", "4", "--name", "ddp", ...tiny], { env }); // prettier-ignore
    expect(r.stderr).toMatch(
      /data-parallel: 2 processes on this node \(node 0 of 1, world size 2\), rendezvous at 127\.0\.0\.1:\d+/,
    );
    expect(r.code).toBe(0);
    // One report and one final validation: rank 1 prints and writes nothing of its own.
    expect(r.stdout.match(/^train: 1 epochs/gm)).toHaveLength(1);
    expect(r.stderr.match(/^epoch 1\/1: loss box/gm)).toHaveLength(1);
    expect(await readdir(join(root, "runs"))).toEqual(["ddp"]);
    const run = join(root, "runs", "ddp");
    const csv = (await readFile(join(run, "results.csv"), "utf8")).trim().split("\n");
    expect(csv).toHaveLength(2); // header + epoch 1
    expect(csv[1]!.split(",")[0]).toBe("1");
    for (const f of [
      "weights/last.safetensors",
      "weights/best.safetensors",
      "weights/last.state.safetensors",
      "args.yaml",
      "per_class.csv",
    ])
      // prettier-ignore
      expect(existsSync(join(run, f)), f).toBe(true);
    // args.yaml keeps the global batch (each rank loaded 2 images a batch)
    expect(await readFile(join(run, "args.yaml"), "utf8")).toMatch(/^batch: 4$/m);
  });

  it("Ctrl+C stops every rank after an epoch, and --resume ends with the weights of an uninterrupted run", async () => {
    const args = [
      "--data",
      data,
      "--nproc",
      "2",
      "--batch",
      "8",
      "--imgsz",
      "64",
      "--workers",
      "0",
      "--epochs",
      "3",
    ];
    const full = azaion(["--root", root, "-q", "train", ...args, "--name", "full"], { env }); // meanwhile
    // SIGINT to the launcher once epoch 1 is written: it forwards it, rank 0 decides, all stop together.
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [join(repoRoot, "bin", "azaion.js"), "--root", root, "-q", "train", ...args, "--name", "cut"], // prettier-ignore
        { env: { ...process.env, ...env }, stdio: "ignore" },
      );
      const csv = join(root, "runs", "cut", "results.csv");
      const poll = setInterval(() => existsSync(csv) && (clearInterval(poll), child.kill("SIGINT")), 50);
      child.on("error", reject);
      child.on("exit", (c) => (clearInterval(poll), resolve(c)));
    });
    expect(code).toBe(0);
    expect((await full).code).toBe(0);
    const rows =
      (await readFile(join(root, "runs", "cut", "results.csv"), "utf8")).trim().split("\n").length - 1;
    expect(rows).toBeLessThan(3); // stopped early
    const resumed = await azaion(
      ["--root", root, "-q", "train", "--nproc", "2", "--resume", "--name", "cut"],
      { env },
    );
    expect(resumed.code).toBe(0);
    const [a, b] = await Promise.all(["full", "cut"].map((n) => loadWeights(join(root, "runs", n, "weights", "last.safetensors")))); // prettier-ignore
    for (const [k, t] of a!.stateDict) expect(t.toNumbers(), k).toEqual(b!.stateDict.get(k)!.toNumbers());
    const noTime = async (n: string) => (await readFile(join(root, "runs", n, "results.csv"), "utf8")).split("\n").map((l) => l.split(",").filter((_, i) => i !== 1).join(",")); // prettier-ignore
    expect(await noTime("cut")).toEqual(await noTime("full"));
  });

  it("a rank whose peers never start fails with a timeout error instead of waiting", async () => {
    const port = await freePort();
    const r = await azaion(["--root", root, "train", "--data", data, "--nnodes", "2", "--node-rank", "0",
      "--master-addr", "127.0.0.1", "--master-port", String(port), "--dist-timeout", "1", "--name", "alone", ...tiny], { env }); // prettier-ignore
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /rank 0: joining the gloo group at 127\.0\.0\.1:\d+ \(world size 2\) failed \(a peer did not take part in time/,
    );
    expect(r.stderr).toMatch(/rank 0 exited with code 1/);
  });
});
