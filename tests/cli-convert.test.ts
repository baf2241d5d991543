import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { azaion } from "./support/cli.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-cli-convert-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(rel: string, text: string): Promise<string> {
  const file = join(dir, rel);
  await mkdir(join(file, ".."), { recursive: true });
  await writeFile(file, text);
  return file;
}

const labelme = (label: string, image: string) =>
  JSON.stringify({
    imagePath: image,
    imageWidth: 200,
    imageHeight: 100,
    shapes: [
      {
        label,
        points: [
          [20, 10],
          [60, 40],
        ],
        shape_type: "rectangle",
      },
    ],
  });

describe("azaion convert", () => {
  it("explains every option in --help", async () => {
    const r = await azaion(["convert", "--help"]);
    expect(r.code).toBe(0);
    for (const opt of ["--from", "--to", "--out", "--mapping", "--mode", "--images", "--force"])
      expect(r.stdout).toContain(opt);
    expect(r.stdout).toMatch(/1-based/);
  });

  it("converts with a mapping file, prints the unmapped table and exits 0", async () => {
    await put("lm/a.json", labelme("snow truck", "a.jpg"));
    await put("lm/b.json", labelme("dog", "b.jpg"));
    await put("lm/c.json", labelme("Truck", "c.jpg"));
    const mapping = await put("map.yaml", 'classes:\n  "snow truck": { class: Truck, mode: Wint }\n');
    const out = join(dir, "out");
    const r = await azaion([
      "convert",
      "--from",
      "labelme",
      join(dir, "lm"),
      "--out",
      out,
      "--mapping",
      mapping,
      "--mode",
      "Night",
    ]);
    expect(r.stderr).toMatch(/convert: 0 errors, 2 warnings/);
    expect(r.code).toBe(0);
    expect(await readFile(join(out, "labels", "a.txt"), "utf8")).toBe(
      "21 0.200000 0.250000 0.200000 0.300000\n",
    );
    expect(await readFile(join(out, "labels", "c.txt"), "utf8")).toBe(
      "41 0.200000 0.250000 0.200000 0.300000\n",
    );
    expect(r.stdout).toMatch(/unmapped labels \(objects skipped\):\n\s+label\s+objects\n\s+dog\s+1\n/);
    const report = JSON.parse(await readFile(join(out, "convert-report.json"), "utf8")) as {
      unmapped: Record<string, number>;
    };
    expect(report.unmapped).toEqual({ dog: 1 });
  });

  it("exits 1 when some input is bad, naming the file, and converts the rest", async () => {
    await put("lm/a.json", labelme("Truck", "a.jpg"));
    const bad = await put("lm/b.json", "{ not json");
    const out = join(dir, "out");
    const r = await azaion(["convert", "--from", "labelme", join(dir, "lm"), "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${bad}`);
    expect(await readFile(join(out, "labels", "a.txt"), "utf8")).toBe(
      "1 0.200000 0.250000 0.200000 0.300000\n",
    );
  });

  it("exits 1 without --force when labels exist", async () => {
    await put("lm/a.json", labelme("Truck", "a.jpg"));
    const out = join(dir, "out");
    await put("out/labels/a.txt", "");
    const r = await azaion(["convert", "--from", "labelme", join(dir, "lm"), "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already exists; pass --force/);
    expect(
      (await azaion(["convert", "--from", "labelme", join(dir, "lm"), "--out", out, "--force"])).code,
    ).toBe(0);
  });

  it("exits 1 for a bad mapping file, naming file and key", async () => {
    await put("lm/a.json", labelme("Truck", "a.jpg"));
    const mapping = await put("map.yaml", "classes:\n  tank: Tnak\n");
    const r = await azaion([
      "convert",
      "--from",
      "labelme",
      join(dir, "lm"),
      "--out",
      join(dir, "out"),
      "--mapping",
      mapping,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${mapping}: classes.tank: unknown class "Tnak"`);
  });

  it("exits 2 for wrong usage", async () => {
    const lm = join(dir, "lm");
    await mkdir(lm);
    for (const args of [
      ["convert", lm, "--out", join(dir, "o")],
      ["convert", "--from", "pdf", lm, "--out", join(dir, "o")],
      ["convert", "--from", "labelme", lm],
      ["convert", "--from", "labelme", join(dir, "missing"), "--out", join(dir, "o")],
      ["convert", "--from", "labelme", lm, "--out", join(dir, "o"), "--mode", "Summer"],
      ["convert", "--from", "yolo", "--to", "yolo", lm, "--out", join(dir, "o")],
    ]) {
      const r = await azaion(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
    }
  });
});
