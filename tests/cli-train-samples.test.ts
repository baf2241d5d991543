/**
 * `azaion train --samples n`: the model's predictions on the first n validation images after each
 * epoch, drawn into runs/<name>/samples/, without changing the run: the same seed gives the same
 * results.csv (all but the time column) with and without samples.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { azaion } from "./support/cli.js";

let root: string;
let data: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "azaion-train-samples-"));
  expect((await azaion(["--root", root, "synth", "--count", "16", "--size", "96"])).code).toBe(0);
  expect((await azaion(["--root", root, "split"])).code).toBe(0);
  data = join(root, "datasets", (await readdir(join(root, "datasets")))[0]!, "data.yaml");
});
afterAll(() => rm(root, { recursive: true, force: true }));

const train = (name: string, samples: number) =>
  azaion(
    ["--root", root, "-q", "train", "--data", data, "--epochs", "2", "--imgsz", "64", "--batch", "4"].concat([
      "--workers",
      "0",
      "--name",
      name,
      "--samples",
      String(samples),
    ]),
    { env: { OMP_NUM_THREADS: "1", AZAION_TORCH__THREADS: "1" } },
  );

/** results.csv without its time column. */
async function results(name: string): Promise<string[][]> {
  const rows = (await readFile(join(root, "runs", name, "results.csv"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => l.split(","));
  const t = rows[0]!.indexOf("time");
  return rows.map((r) => r.filter((_, k) => k !== t));
}

describe("azaion train --samples", () => {
  it("draws n validation images per epoch and leaves the results unchanged", async () => {
    const [a, b] = [await train("with", 3), await train("without", 0)];
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const files = (await readdir(join(root, "runs", "with", "samples"))).sort();
    expect(files).toEqual([
      "epoch1_0.jpg",
      "epoch1_1.jpg",
      "epoch1_2.jpg",
      "epoch2_0.jpg",
      "epoch2_1.jpg",
      "epoch2_2.jpg",
    ]);
    const valImages = (await readdir(join(data, "..", "valid", "images"))).sort();
    const meta = await sharp(join(root, "runs", "with", "samples", "epoch2_0.jpg")).metadata();
    const src = await sharp(join(data, "..", "valid", "images", valImages[0]!)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", src.width, src.height]);
    expect(await readdir(join(root, "runs", "without"))).not.toContain("samples");
    expect(await results("with")).toEqual(await results("without"));
  });

  it("refuses a count outside 0-16", async () => {
    const r = await train("bad", 17);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--samples 17: expected 0-16");
  });
});
