/**
 * `azaion predict`: in-process with a fake model (options, outputs, bad images, no overwriting),
 * and the real binary on the Ultralytics-trained shapes model once the command is registered.
 */
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { registerPredict, type ModelLoader } from "../src-workers/cli/commands/predict.js";
import { CliContext } from "../src-workers/cli/context.js";
import { tempDir } from "../src-workers/data/visualise/test-fixtures.js";
import { FakeDetector } from "../src-workers/yolo/predict/fake-detector.js";
import { azaion, repoRoot } from "./support/cli.js";

const fake: ModelLoader = () =>
  Promise.resolve({
    detector: new FakeDetector(),
    nc: 3,
    names: ["dark", "mid", "bright"],
    dispose: () => undefined,
  });

async function run(
  args: string[],
  load: ModelLoader | "real" = fake,
): Promise<{ stdout: string; stderr: string; code: number }> {
  const program = new Command("azaion").option("--root <dir>").option("-q, --quiet").exitOverride();
  const ctx = new CliContext(program);
  if (load === "real") registerPredict(program, ctx);
  else registerPredict(program, ctx, load);
  for (const c of program.commands) c.exitOverride();
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  process.exitCode = undefined;
  try {
    await program.parseAsync(args, { from: "user" });
    return { stdout, stderr, code: typeof process.exitCode === "number" ? process.exitCode : 0 };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
}

describe("azaion predict (fake model)", () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir("azaion-cli-predict-");
    await mkdir(join(root, "imgs", "images"), { recursive: true });
    for (const [name, v] of [
      ["a.jpg", 30],
      ["b.png", 240],
    ] as const)
      await sharp({
        create: { width: 96, height: 64, channels: 3, background: { r: v, g: v, b: v } },
      }).toFile(join(root, "imgs", "images", name));
    await writeFile(join(root, "imgs", "images", "broken.jpg"), "not a jpeg");
  });
  afterAll(() => rm(root, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  it("writes jsonl and drawn images by default under <root>/runs/predict/<stamp>", async () => {
    const r = await run([
      "--root",
      root,
      "-q",
      "predict",
      "w.pt",
      join(root, "imgs", "images", "a.jpg"),
      "--imgsz",
      "64",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/predict: 1 images, 2 detections at 64 px/);
    const runs = await readdir(join(root, "runs", "predict"));
    expect(runs).toHaveLength(1);
    const dir = join(root, "runs", "predict", runs[0]!);
    expect((await readdir(dir)).sort()).toEqual(["images", "predictions.jsonl"]);
    expect(await readdir(join(dir, "images"))).toEqual(["a.png"]);
    const line = JSON.parse(await readFile(join(dir, "predictions.jsonl"), "utf8")) as {
      detections: { name: string }[];
    };
    expect(line.detections.map((d) => d.name)).toEqual(["dark", "mid"]);
  });

  it("reads a folder (its images/), names the broken file, goes on and exits 1", async () => {
    const out = join(root, "out1");
    const r = await run([
      "predict",
      "w.pt",
      join(root, "imgs"),
      "--out",
      out,
      "--save-txt",
      "--save-conf",
      "--batch",
      "2",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.jpg.*cannot decode/);
    expect(r.stderr).toMatch(/1 error/);
    expect(r.stdout).toMatch(/2 images, 4 detections/);
    expect((await readdir(join(out, "labels"))).sort()).toEqual(["a.txt", "b.txt"]);
    const lines = (await readFile(join(out, "labels", "b.txt"), "utf8")).trim().split("\n");
    expect(lines[0]!.split(" ")).toHaveLength(6);
    expect(lines[0]).toMatch(/^2 0\.5 0\.50\d* 0\.25 /);
    expect(existsSync(join(out, "predictions.jsonl"))).toBe(false);
  });

  it("refuses a non-empty --out and bad numbers", async () => {
    await expect(run(["predict", "w.pt", join(root, "imgs"), "--out", join(root, "out1")])).rejects.toThrow(
      /not empty/,
    );
    await expect(run(["predict", "w.pt", join(root, "imgs"), "--conf", "2"])).rejects.toThrow(/--conf 2/);
    await expect(run(["predict", "w.pt", join(root, "nowhere")])).rejects.toThrow(/does not exist/);
  });
});

const registered = readFileSync(join(repoRoot, "src-workers/cli/commands/index.ts"), "utf8").includes(
  "registerPredict",
);
const data = join(repoRoot, "tests", "data", "yolo11");

const modelReady = existsSync(join(repoRoot, "src-workers/yolo/model/detection-model.ts"));

describe.skipIf(!modelReady)("azaion predict (in process, real loader)", () => {
  it("runs the shapes .pt on the reference image", async () => {
    const root = await tempDir("azaion-cli-predict-inproc-");
    try {
      const out = join(root, "run");
      const r = await run(
        [
          "-q",
          "predict",
          join(data, "yolo11n-shapes-nc5.pt"),
          join(data, "val_00003.jpg"),
          "--imgsz",
          "320",
          "--out",
          out,
          "--save-txt",
        ],
        "real",
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/1 images, 5 detections at 320 px/);
      const lines = (await readFile(join(out, "labels", "val_00003.txt"), "utf8")).trim().split("\n");
      expect(lines.map((l) => Number(l.split(" ")[0]))).toEqual([0, 2, 0, 0, 1]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!registered)("azaion predict (binary, Ultralytics-trained shapes model)", () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir("azaion-cli-predict-real-");
    await copyFile(join(data, "val_00003.jpg"), join(root, "val_00003.jpg"));
    await writeFile(join(root, "zz.jpg"), "corrupt");
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("finds the reference detections and reports the corrupt file", async () => {
    const out = join(root, "run");
    const r = await azaion([
      "predict",
      join(data, "yolo11n-shapes-nc5.pt"),
      root,
      "--imgsz",
      "320",
      "--out",
      out,
      "--save-json",
      "--save-txt",
      "--save-img",
    ]);
    expect(r.stderr).toMatch(/zz\.jpg/);
    expect(r.code).toBe(1);
    const want = (
      JSON.parse(readFileSync(join(data, "yolo11n-shapes-nc5-predict.json"), "utf8")) as {
        detections: { cls: number; conf: number }[];
      }
    ).detections;
    const got = JSON.parse((await readFile(join(out, "predictions.jsonl"), "utf8")).trim()) as {
      detections: { cls: number; conf: number; name: string }[];
    };
    expect(got.detections.map((d) => d.cls)).toEqual(want.map((d) => d.cls));
    got.detections.forEach((d, i) => expect(Math.abs(d.conf - want[i]!.conf)).toBeLessThan(0.02));
    expect(got.detections[0]!.name).toBe("rect_filled");
    expect((await readFile(join(out, "labels", "val_00003.txt"), "utf8")).trim().split("\n")).toHaveLength(5);
    expect((await sharp(join(out, "images", "val_00003.png")).metadata()).width).toBe(320);
  });
});
