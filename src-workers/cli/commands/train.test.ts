/** `azaion train` / `azaion val` in-process on a tiny data.yaml: run folder, resume with more epochs, val. */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CliContext } from "../context.js";
import { registerTrain, registerVal } from "./train.js";

let root: string;

async function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command("azaion").option("--root <dir>").option("-q, --quiet").exitOverride();
  const ctx = new CliContext(program);
  registerTrain(program, ctx);
  registerVal(program, ctx);
  for (const c of program.commands) c.exitOverride();
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  try {
    await program.parseAsync(["--root", root, ...args], { from: "user" });
    return { stdout, stderr };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
}

beforeAll(async () => {
  // The test runner's own switch; the config would read it as an (unknown) AZAION_* override.
  delete process.env.AZAION_TEST_BUILD;
  root = await mkdtemp(join(tmpdir(), "azaion-cli-train-"));
  for (const split of ["train", "val"]) {
    await mkdir(join(root, "ds", split, "images"), { recursive: true });
    await mkdir(join(root, "ds", split, "labels"), { recursive: true });
    for (let k = 0; k < 4; k++) {
      const cls = k % 2;
      const data = Buffer.alloc(96 * 64 * 3, 100);
      for (let y = 10; y < 40; y++)
        for (let x = 20; x < 60; x++) data.set(cls ? [0, 200, 0] : [200, 0, 0], (y * 96 + x) * 3);
      await sharp(data, { raw: { width: 96, height: 64, channels: 3 } })
        .png()
        .toFile(join(root, "ds", split, "images", `${k}.png`));
      await writeFile(
        join(root, "ds", split, "labels", `${k}.txt`),
        `${cls} ${40 / 96} ${25 / 64} ${40 / 96} ${30 / 64}\n`,
      );
    }
  }
  await writeFile(
    join(root, "ds", "data.yaml"),
    "path: .\ntrain: train/images\nval: val/images\nnames:\n  0: red\n  1: green\n",
  );
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe("azaion train / val", () => {
  it("trains into runs/<name>, resumes with more epochs, validates the result", async () => {
    const data = join(root, "ds", "data.yaml");
    const common = ["--data", data, "--imgsz", "64", "--batch", "2", "--workers", "0", "--name", "t1"];
    const r1 = await run(["train", ...common, "--epochs", "1", "--threads", "1"]);
    expect(r1.stdout).toMatch(/train: 1 epochs/);
    const dir = join(root, "runs", "t1");
    for (const f of [
      "results.csv",
      "args.yaml",
      "weights/last.safetensors",
      "weights/best.safetensors",
      "weights/last.state.safetensors",
    ])
      expect(existsSync(join(dir, f)), f).toBe(true);
    await expect(run(["train", ...common, "--epochs", "1"])).rejects.toThrow(/already holds a run/);
    const r2 = await run(["train", ...common, "--resume", "--epochs", "2"]);
    expect(r2.stdout).toMatch(/train: 1 epochs/);
    const csv = (await readFile(join(dir, "results.csv"), "utf8")).trim().split("\n");
    expect(csv.map((l) => l.split(",")[0])).toEqual(["epoch", "1", "2"]);
    const v = await run([
      "val",
      join(dir, "weights", "best.safetensors"),
      "--data",
      data,
      "--imgsz",
      "64",
      "--workers",
      "0",
    ]);
    expect(v.stdout).toMatch(/^all\s+4\s+4\s/m);
    expect(v.stdout).toMatch(/results saved to .*runs\/val$/m);
    for (const f of ["results.png", "confusion_matrix.png", "PR_curve.png", "F1_curve.png", "per_class.csv"])
      expect(existsSync(join(dir, f)), f).toBe(true);
    for (const f of [
      "confusion_matrix.csv",
      "confusion_matrix_normalized.png",
      "pr_curves.json",
      "P_curve.png",
    ])
      expect(existsSync(join(root, "runs", "val", f)), f).toBe(true);
    const v2 = await run([
      "val",
      join(dir, "weights", "best.safetensors"),
      "--data",
      data,
      "--imgsz",
      "64",
      "--workers",
      "0",
    ]);
    expect(v2.stdout).toMatch(/results saved to .*runs\/val2$/m);
    const cm = (await readFile(join(root, "runs", "val", "confusion_matrix.csv"), "utf8")).trim().split("\n");
    expect(cm[0]).toBe('predicted\\true,"red","green","background"');
    expect(cm).toHaveLength(4);
  });

  it("batch -1 on the CPU takes the default 16 with a notice; --amp is ignored there, saying so", async () => {
    const data = join(root, "ds", "data.yaml");
    const r = await run(["train", "--data", data, "--imgsz", "64", "--batch", "-1", "--amp", "true", "--workers", "0",
      "--epochs", "1", "--name", "auto"]); // prettier-ignore
    expect(r.stderr).toMatch(/AutoBatch: batch -1 needs a CUDA device .* default batch 16 on cpu/);
    expect(r.stderr).toMatch(/--amp: mixed precision is for CUDA devices; training in float32 on cpu/);
    const args = await readFile(join(root, "runs", "auto", "args.yaml"), "utf8");
    expect(args).toMatch(/^batch: 16$/m);
    expect(args).toMatch(/^amp: true$/m);
    await expect(run(["train", "--data", data, "--batch", "0", "--name", "x"])).rejects.toThrow(
      /'batch'.*-1 \(auto\)/,
    );
    await expect(run(["train", "--data", data, "--amp", "maybe", "--name", "x"])).rejects.toThrow(
      /--amp maybe: expected true or false/,
    );
  });
});
