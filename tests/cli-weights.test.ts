import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { azaion, repoRoot } from "./support/cli.js";

const FIXTURE = join(repoRoot, "tests", "data", "yolo11", "yolo11n-nc80.pt");
let dir: string;
let pt: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "azaion-cli-weights-"));
  pt = join(dir, "yolo11n-nc80.pt");
  copyFileSync(FIXTURE, pt);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("azaion weights", () => {
  it("explains every option in --help", async () => {
    const top = await azaion(["weights", "--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/import/);
    expect(top.stdout).toMatch(/info/);
    const imp = await azaion(["weights", "import", "--help"]);
    expect(imp.code).toBe(0);
    for (const opt of ["<model.pt>", "--out", "--force"]) expect(imp.stdout).toContain(opt);
    const info = await azaion(["weights", "info", "--help"]);
    expect(info.code).toBe(0);
    for (const opt of ["<file>", "--json"]) expect(info.stdout).toContain(opt);
  });

  it("imports a .pt beside itself, refuses to overwrite without --force", async () => {
    const r = await azaion(["weights", "import", pt]);
    expect(r.code, r.stderr).toBe(0);
    const out = join(dir, "yolo11n-nc80.safetensors");
    expect(existsSync(out)).toBe(true);
    expect(r.stdout).toContain(`-> ${out}`);
    expect(r.stdout).toMatch(/scale\s+n\n/);
    expect(r.stdout).toMatch(/nc\s+80\n/);
    expect(r.stdout).toContain("person, bicycle, car");
    expect(r.stdout).toContain("2,624,080");
    expect(r.stdout).toContain("ultralytics 8.3.253 .pt import");

    const again = await azaion(["weights", "import", pt]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${out} already exists; pass --force`);
    expect((await azaion(["weights", "import", pt, "--force"])).code).toBe(0);
  });

  it("writes to --out", async () => {
    const out = join(dir, "custom.safetensors");
    const r = await azaion(["weights", "import", pt, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it("prints info for both kinds of file", async () => {
    const out = join(dir, "info.safetensors");
    expect((await azaion(["weights", "import", pt, "-o", out])).code).toBe(0);

    const a = await azaion(["weights", "info", pt]);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain("Ultralytics checkpoint");
    expect(a.stdout).toMatch(/tensors\s+499 /);
    expect(a.stdout).toMatch(/params\s+2,624,080\n/);
    expect(a.stdout).toMatch(/dtype\s+float16, int64\n/);

    const b = await azaion(["weights", "info", out]);
    expect(b.code).toBe(0);
    expect(b.stdout).toContain("azaion-yolo v1 weights");
    expect(b.stdout).toMatch(/tensors\s+499 /);
    expect(b.stdout).toMatch(/params\s+2,624,080\n/);
    expect(b.stdout).toMatch(/dtype\s+float32\n/);

    const j = await azaion(["weights", "info", out, "--json"]);
    expect(j.code).toBe(0);
    const parsed = JSON.parse(j.stdout) as { metadata: { nc: number; names: string[]; parameters: number } };
    expect(parsed.metadata.nc).toBe(80);
    expect(parsed.metadata.names[79]).toBe("toothbrush");
    expect(parsed.metadata.parameters).toBe(2624080);
  });

  it("exits 2 on wrong usage", async () => {
    for (const args of [
      ["weights", "import"],
      ["weights", "import", join(dir, "missing.pt")],
      ["weights", "import", pt, "--out", join(dir, "x.bin")],
      ["weights", "import", pt, "--bogus"],
      ["weights", "info"],
      ["weights", "info", join(dir, "missing.safetensors")],
    ]) {
      const r = await azaion(args);
      expect(r.code, args.join(" ")).toBe(2);
    }
  });

  it("exits 1 on a file it cannot read, naming it", async () => {
    const junk = join(dir, "junk.safetensors");
    writeFileSync(junk, "not weights at all");
    const r = await azaion(["weights", "info", junk]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(junk);
    const broken = join(dir, "broken.pt");
    writeFileSync(broken, "PK\u0003\u0004 and then nothing");
    const s = await azaion(["weights", "import", broken]);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain(`${broken}: truncated zip file`);
  });
});
