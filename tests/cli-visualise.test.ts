import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  tempDir,
  writeDataset,
  writeFolder,
  type FixtureImage,
} from "../src-workers/data/visualise/test-fixtures.js";
import { azaion } from "./support/cli.js";

const good: FixtureImage[] = Array.from({ length: 40 }, (_, i) => ({
  name: `frame_${String(i).padStart(3, "0")}.jpg`,
  colour: i % 2 ? "#506050" : "#605040",
  width: 640,
  height: 480,
  labels: `${i % 17} 0.3 0.3 0.2 0.2\n${(i % 17) + 40} 0.7 0.6 0.2 0.3\n`,
}));

describe("azaion visualise", () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir("azaion-cli-vis-");
    await writeFolder(join(root, "data"), good);
    await writeFolder(join(root, "bad"), [
      ...good.slice(0, 3),
      { name: "zz.jpg", colour: "#000000", bytes: Buffer.from("corrupt"), labels: "1 0.5 0.5 0.1 0.1\n" },
    ]);
    await writeDataset(join(root, "ds"), {
      train: good.slice(0, 6),
      valid: good.slice(6, 9),
      test: good.slice(9, 10),
    });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("draws a sheet of <root>/data by default (sampled to config max_images) and exits 0", async () => {
    const out = join(root, "out", "sheet.png");
    const t0 = Date.now();
    const r = await azaion(["--root", root, "visualise", "--out", out]);
    expect(r.stderr).toContain("0 errors");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("36 of 40 matching images");
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe("png");
    expect(meta.width).toBe(8 + 6 * (320 + 8));
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it("honours --columns, --tile, --split and --class on a dataset", async () => {
    const out = join(root, "ds.png");
    const r = await azaion([
      "-q",
      "visualise",
      join(root, "ds"),
      "--split",
      "train",
      "--class",
      "ArmorVehicle",
      "--columns",
      "2",
      "--tile",
      "100",
      "-o",
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("1 of 1 matching images");
    expect((await sharp(out).metadata()).width).toBe(480);
  });

  it("draws one image with --image", async () => {
    const out = join(root, "one.png");
    const r = await azaion([
      "visualise",
      "--image",
      join(root, "data", "images", "frame_000.jpg"),
      "--out",
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("2 boxes");
    expect((await sharp(out).metadata()).width).toBe(640);
  });

  it("exits 1 on a corrupt image but still writes the sheet", async () => {
    const out = join(root, "bad.png");
    const r = await azaion(["visualise", join(root, "bad"), "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/zz\.jpg: unreadable image/);
    expect(r.stderr).toContain("1 error");
    expect(existsSync(out)).toBe(true);
  });

  it.each([
    [["visualise"], /--out/],
    [["visualise", "--out", "x.jpg"], /PNG/],
    [["visualise", "--max", "many", "--out", "x.png"], /--max/],
    [["visualise", "--tile", "10", "--out", "x.png"], /--tile 10 is outside/],
    [["visualise", "--class", "Tank", "--out", "x.png"], /unknown class "Tank"/],
    [["visualise", "--mode", "Dusk", "--out", "x.png"], /unknown weather mode/],
    [["visualise", "--split", "train", "--out", "x.png"], /--split needs a dataset/],
    [["visualise", "--split", "holdout", "--out", "x.png"], /not one of train, valid, test/],
    [["visualise", "--label", "a.txt", "--out", "x.png"], /--label goes with --image/],
    [
      ["visualise", "--image", "a.jpg", "--tile", "200", "--out", "x.png"],
      /--tile apply to the contact sheet/,
    ],
    [["visualise", "no-such-folder", "--out", "x.png"], /does not exist/],
  ])("exits 2 for bad arguments: %j", async (args, message) => {
    const r = await azaion(["--root", root, ...args], { cwd: root });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it("explains every option in --help", async () => {
    const r = await azaion(["visualise", "--help"]);
    expect(r.code).toBe(0);
    for (const o of [
      "--out",
      "--class",
      "--mode",
      "--split",
      "--max",
      "--columns",
      "--tile",
      "--seed",
      "--image",
      "--label",
    ])
      expect(r.stdout).toContain(o);
  });
});
