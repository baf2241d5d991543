/** `azaion validate`, `stats` and `split` as a user runs them: exit codes and key output. */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { writeFixture } from "../src-workers/core/dataset-fixture.js";
import { azaion } from "./support/cli.js";

let root: string;
const img = { w: 64, h: 48 };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "azaion-cli-ds-"));
  // <root>/data: clean; <root>/broken: one problem of each kind that matters here.
  await writeFixture(join(root, "data"), {
    images: { "a.jpg": img, "a_aug1.jpg": img, "b.png": img, "c.jpg": img },
    labels: {
      "a.txt": "0 0.5 0.5 0.5 0.5\n",
      "a_aug1.txt": "20 0.5 0.5 0.5 0.5\n",
      "b.txt": "",
      "c.txt": "16 0.5 0.5 0.1 0.1\n",
    },
  });
  await writeFixture(join(root, "broken"), {
    images: { "ok.jpg": img, "empty.jpg": Buffer.alloc(0), "x.jpg": img, "x.png": img },
    labels: { "ok.txt": "0 0.5 0.5 0.2 0.2\n3 0.5 0.5 0.2\n", "orphan.txt": "" },
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("azaion validate", () => {
  it("passes a clean folder (the data root's data/ by default)", async () => {
    const r = await azaion(["--root", root, "validate"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 images checked, 4 usable \(1 empty\), 0 bad; 3 boxes/);
    expect(r.stderr).toMatch(/validate: 0 errors, 0 warnings/);
  });

  it("exits 1 and names each problem", async () => {
    const r = await azaion(["--root", root, "validate", join(root, "broken")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: .*ok\.txt:2: expected 5 fields/);
    expect(r.stderr).toMatch(/error: .*empty\.jpg: empty file/);
    expect(r.stderr).toMatch(/2 images share the stem "x"/);
    expect(r.stderr).toMatch(/error: .*orphan\.txt: label without an image/);
    expect(r.stderr).toMatch(/validate: 4 errors/);
  });

  it("--deep catches pixel data the header check cannot", async () => {
    const dir = join(root, "deep");
    await writeFixture(dir, { images: { "p.png": { w: 64, h: 64 } }, labels: { "p.txt": "" } });
    const file = join(dir, "images", "p.png");
    const png = Buffer.from(await readFile(file));
    const idat = png.indexOf("IDAT");
    for (let i = idat + 4; i < idat + 20; i++) png[i] = png[i]! ^ 0xff;
    await writeFile(file, png);
    expect((await azaion(["--root", root, "validate", dir])).code).toBe(0);
    const deep = await azaion(["--root", root, "validate", "--deep", dir]);
    expect(deep.code).toBe(1);
    expect(deep.stderr).toMatch(/p\.png: cannot decode/);
  });

  it("exits 2 for a folder without images/", async () => {
    const r = await azaion(["--root", root, "validate", join(root, "nope")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has no images\/ folder/);
  });
});

describe("azaion stats", () => {
  it("prints the class x weather table and size histogram", async () => {
    const r = await azaion(["--root", root, "stats", "--imgsz", "640"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Images +4 \(empty 1, left out 0\)/m);
    expect(r.stdout).toMatch(/^ArmorVehicle +1 +1 +0 +2$/m);
    expect(r.stdout).toMatch(/Box sizes at imgsz 640/);
  });

  it("--json gives exact numbers", async () => {
    const r = await azaion(["--root", root, "stats", "--json", "--imgsz", "640", join(root, "data")]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    // 64x48 scaled by 10 to 640x480: 0.5 box = 320x240 -> 277 px; 0.1 box -> 55 px.
    expect(s).toMatchObject({
      images: 4,
      boxes: 3,
      emptyImages: 1,
      tinyBoxes: 0,
      groups: { count: 3, sizes: { "1": 2, "2": 1 } },
    });
    expect((s.sizes as { label: string; count: number }[]).filter((b) => b.count > 0)).toEqual([
      { label: "32-64", from: 32, to: 64, count: 1 },
      { label: "256-512", from: 256, to: 512, count: 2 },
    ]);
  });

  it("exits 1 on data errors and 2 on a bad --imgsz", async () => {
    expect((await azaion(["--root", root, "stats", join(root, "broken")])).code).toBe(1);
    const bad = await azaion(["--root", root, "stats", "--imgsz", "big"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--imgsz big/);
  });
});

describe("azaion split", () => {
  it("writes train/valid/test + data.yaml, refuses to overwrite, replaces with --force", async () => {
    const r = await azaion(["--root", root, "split", "--name", "ds1", "--seed", "5"]);
    expect(r.code, r.stderr).toBe(0);
    const out = join(root, "datasets", "ds1");
    expect(r.stdout).toContain(`dataset ${out}`);
    expect((await readdir(out)).sort()).toEqual(["data.yaml", "test", "train", "valid"]);
    const yaml = parse(await readFile(join(out, "data.yaml"), "utf8")) as {
      nc: number;
      names: Record<string, string>;
      val: string;
    };
    expect(yaml.nc).toBe(80);
    expect(Object.keys(yaml.names)).toHaveLength(80);
    expect(yaml.val).toBe("valid/images");
    let images = 0;
    for (const s of ["train", "valid", "test"]) images += (await readdir(join(out, s, "images"))).length;
    expect(images).toBe(4);

    const again = await azaion(["--root", root, "split", "--name", "ds1"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; pass --force/);
    expect((await azaion(["--root", root, "split", "--name", "ds1", "--force"])).code).toBe(0);
  });

  it("prefers data-processed when it has images; --out picks the parent folder", async () => {
    await writeFixture(join(root, "data-processed"), {
      images: { "p_aug1.jpg": img, "p_aug2.jpg": img },
      labels: { "p_aug1.txt": "", "p_aug2.txt": "" },
    });
    const r = await azaion(["--root", root, "split", "--out", join(root, "elsewhere"), "--name", "ds2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`from ${join(root, "data-processed")}`);
    const subsets = await Promise.all(
      ["train", "valid", "test"].map((s) => readdir(join(root, "elsewhere", "ds2", s, "images"))),
    );
    expect(subsets.filter((names) => names.length === 2)).toHaveLength(1); // one group, one subset
    await rm(join(root, "data-processed"), { recursive: true });
  });

  it("leaves bad images out and exits 1; bad arguments exit 2", async () => {
    const r = await azaion(["--root", root, "split", join(root, "broken"), "--name", "ds3"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/split: 4 errors/);
    expect((await azaion(["--root", root, "split", "--name", "a/b"])).code).toBe(2);
    expect((await azaion(["--root", root, "split", "--seed", "x"])).code).toBe(2);
  });

  it("documents every option", async () => {
    const r = await azaion(["split", "--help"]);
    expect(r.code).toBe(0);
    for (const o of ["--out", "--name", "--seed", "--force"]) expect(r.stdout).toContain(o);
  });
});
