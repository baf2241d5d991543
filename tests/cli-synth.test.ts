import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatLabels } from "../src-workers/core/labels.js";
import { encodeJpeg, generateSynthImage } from "../src-workers/data/synth/index.js";
import { azaion } from "./support/cli.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tmpRoot = async () => {
  const d = await mkdtemp(join(tmpdir(), "azaion-cli-synth-"));
  dirs.push(d);
  return d;
};

describe("azaion synth", () => {
  it("writes the dataset into <root>/data, prints a summary, and refuses to write again without --force", async () => {
    const root = await tmpRoot();
    const args = ["--root", root, "synth", "--count", "8", "--size", "128", "--seed", "3"];
    const r = await azaion(args);
    expect(r.stderr).not.toMatch(/azaion:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/synth: 8 images \(\d+ empty\), \d+ boxes, 128x128, seed 3/);
    expect(r.stdout).toMatch(/modes: Norm \d+, Wint \d+, Night \d+/);
    expect(r.stdout).toMatch(/images\/s/);
    const images = (await readdir(join(root, "data", "images"))).sort();
    expect(images).toHaveLength(8);
    expect(await readdir(join(root, "data", "labels"))).toHaveLength(8);

    // Made on worker threads by the built CLI, yet byte-identical to the library on this thread.
    const img = generateSynthImage(3, 6, 128);
    expect(
      (await readFile(join(root, "data", "images", "synth_3_00006.jpg"))).equals(await encodeJpeg(img)),
    ).toBe(true);
    expect(await readFile(join(root, "data", "labels", "synth_3_00006.txt"), "utf8")).toBe(
      formatLabels(img.boxes),
    );

    const again = await azaion(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds 8 images; pass --force/);

    const forced = await azaion([...args, "--force"]);
    expect(forced.code).toBe(0);
  });

  it("writes to --out", async () => {
    const root = await tmpRoot();
    const out = join(root, "elsewhere");
    const r = await azaion(["--root", root, "-q", "synth", "--out", out, "--count", "3", "--size", "64"]);
    expect(r.code).toBe(0);
    expect(await readdir(join(out, "images"))).toHaveLength(3);
  });

  it.each([
    [["--count", "abc"], /--count abc: expected a whole number/],
    [["--count", "0"], /--count 0/],
    [["--size", "10"], /--size 10/],
    [["--seed", "1.5"], /--seed 1.5/],
  ])("exits 2 for bad arguments %j", async (bad, message) => {
    const root = await tmpRoot();
    const r = await azaion(["--root", root, "synth", ...bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("describes every option in --help", async () => {
    const r = await azaion(["synth", "--help"]);
    expect(r.code).toBe(0);
    for (const o of ["--out", "--count", "--size", "--seed", "--force"]) expect(r.stdout).toContain(o);
  });
});
