import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { azaion } from "./support/cli.js";

describe("azaion demo", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("runs synth, validate, augment, stats, split, visualise, train, val, weights import, predict, export and infer end to end", async () => {
    const root = await mkdtemp(join(tmpdir(), "azaion-demo-"));
    dirs.push(root);
    const r = await azaion(["--root", root, "demo", "--count", "30", "--seed", "3"]);
    expect(r.stderr).toContain("== 1/12 generate the synthetic dataset");
    expect(r.stderr).toContain("== 6/12 contact sheet");
    expect(r.stderr).toContain("== 10/12 predict");
    expect(r.stderr).toContain("== 11/12 export");
    expect(r.stderr).toContain("== 12/12 video inference");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo done in [\d.]+ s/);
    expect(await readdir(join(root, "data", "images"))).toHaveLength(30);
    expect(r.stdout).toContain("Boxes per class and weather mode");
    const yaml = parse(await readFile(join(root, "datasets", "demo", "data.yaml"), "utf8")) as { nc: number };
    expect(yaml.nc).toBe(80);
    const sizes = await Promise.all(
      ["train", "valid", "test"].map(
        async (s) => (await readdir(join(root, "datasets", "demo", s, "images"))).length,
      ),
    );
    // 30 sources x (1 original + 7 augmented), every copy of a source in the same split.
    expect(await readdir(join(root, "data-processed", "images"))).toHaveLength(240);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(240);
    const trainRuns = (await readdir(join(root, "runs"))).filter((d) => /^demo-[\d-]+$/.test(d));
    expect(trainRuns).toHaveLength(1);
    const csv = (await readFile(join(root, "runs", trainRuns[0]!, "results.csv"), "utf8")).trim().split("\n");
    expect(csv).toHaveLength(3); // header + 2 epochs
    expect(r.stdout).toMatch(/mAP50-95/);
    const run = join(root, "runs", trainRuns[0]!);
    for (const f of ["results.png", "confusion_matrix.png", "PR_curve.png", "exports/best.onnx"])
      expect(existsSync(join(run, f)), f).toBe(true);
    expect(existsSync(join(root, "runs", `${trainRuns[0]!}-test`, "per_class.csv"))).toBe(true);
    const infers = await readdir(join(root, "runs", "infer"));
    expect(infers).toHaveLength(1);
    for (const f of ["detections.jsonl", "summary.csv", "annotated.mp4"])
      expect(existsSync(join(root, "runs", "infer", infers[0]!, f)), f).toBe(true);
    const runs = await readdir(join(root, "runs", "predict"));
    expect(runs).toHaveLength(1);
    const lines = (await readFile(join(root, "runs", "predict", runs[0]!, "predictions.jsonl"), "utf8"))
      .trim()
      .split("\n");
    expect((JSON.parse(lines[0]!) as { detections: unknown[] }).detections).toHaveLength(5);
    const meta = await sharp(join(root, "demo-sheet.png")).metadata();
    expect(meta.format).toBe("png");
    expect(meta.width).toBeGreaterThan(300);
    // About 40 s alone on 2 cores; several times that while the rest of the suite runs beside it.
  }, 300_000);

  it("stops at the first failing step with its exit code", async () => {
    const root = await mkdtemp(join(tmpdir(), "azaion-demo-"));
    dirs.push(root);
    const r = await azaion(["--root", root, "demo", "--count", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/demo stopped: step 1 \(synth\) exited with code 2/);
    expect(existsSync(join(root, "datasets"))).toBe(false);
  });
});
