import { writeFile } from "node:fs/promises";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { classCatalog } from "./classes.js";
import { tempFixture } from "./dataset-fixture.js";
import { scanDataset, type ScanEntry } from "./dataset-scan.js";
import { imageLabelDirs } from "./layout.js";
import { formatProblem, ProblemLog } from "./problems.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function scan(dir: string, deep = false) {
  dirs.push(dir);
  const log = new ProblemLog();
  const entries: ScanEntry[] = [];
  let listed = -1;
  for await (const e of scanDataset(imageLabelDirs(dir), {
    catalog: classCatalog(),
    log,
    deep,
    concurrency: 3,
    onListed: (n) => (listed = n),
  }))
    entries.push(e);
  const text = log.kept.map(formatProblem);
  return { entries, log, text, listed, byStem: new Map(entries.map((e) => [e.stem, e])) };
}

const img = { w: 100, h: 50 };

describe("scanDataset", () => {
  it("pairs images with labels and reads sizes, in name order", async () => {
    const dir = await tempFixture({
      images: { "b.jpg": img, "a.png": { w: 30, h: 40 }, "c.jpg": img },
      labels: {
        "a.txt": "0 0.5 0.5 0.2 0.2\n20 0.1 0.1 0.1 0.1\n",
        "b.txt": "",
        "c.txt": "16 0.5 0.5 1 1\n",
      },
    });
    const { entries, log, listed } = await scan(dir);
    expect(log.errors + log.warnings).toBe(0);
    expect(listed).toBe(3);
    expect(entries.map((e) => e.imageName)).toEqual(["a.png", "b.jpg", "c.jpg"]);
    expect(entries[0]).toMatchObject({
      ok: true,
      labelChanged: false,
      header: { format: "png", width: 30, height: 40 },
    });
    expect(entries[0]!.boxes.map((b) => b.classId)).toEqual([0, 20]);
    expect(entries[1]!.boxes).toEqual([]);
  });

  it("reports every bad label line by file:line and leaves the image out", async () => {
    const dir = await tempFixture({
      images: {
        "f4.jpg": img,
        "f6.jpg": img,
        "c93.jpg": img,
        "c17.jpg": img,
        "nan.jpg": img,
        "neg.jpg": img,
        "clip.jpg": img,
      },
      labels: {
        "f4.txt": "0 0.5 0.5 0.2\n",
        "f6.txt": "0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2 0.2 0.9\n",
        "c93.txt": "93 0.5 0.5 0.2 0.2\n",
        "c17.txt": "17 0.5 0.5 0.2 0.2\n",
        "nan.txt": "0 NaN 0.5 0.2 0.2\n",
        "neg.txt": "0 0.5 0.5 -0.2 0.2\n",
        "clip.txt": "0 0.95 0.5 0.2 0.2\n",
      },
    });
    const { byStem, text, log } = await scan(dir);
    const has = (re: RegExp) =>
      expect(
        text.some((t) => re.test(t)),
        `${re} in\n${text.join("\n")}`,
      ).toBe(true);
    has(/error: .*f4\.txt:1: expected 5 fields .* found 4/);
    has(/error: .*f6\.txt:2: expected 5 fields .* found 6/);
    has(/error: .*c93\.txt:1 \[class\]: class 93 is outside the 80 class slots/);
    has(/error: .*c17\.txt:1 \[class\]: class 17 is an unused slot/);
    has(/error: .*nan\.txt:1 \[cx\]: cx "NaN" is not a finite number/);
    has(/error: .*neg\.txt:1 \[w\]: w -0.2 must be greater than 0/);
    has(/warning: .*clip\.txt:1: box extends .* clipped/);
    expect(log.errors).toBe(6);
    for (const s of ["f4", "f6", "c93", "c17", "nan", "neg"]) expect(byStem.get(s)?.ok, s).toBe(false);
    expect(byStem.get("clip")).toMatchObject({ ok: true, labelChanged: true });
  });

  it("reports corrupt, empty and unknown images, and goes on", async () => {
    const dir = await tempFixture({
      images: {
        "empty.jpg": Buffer.alloc(0),
        "junk.png": Buffer.from("not a png at all"),
        "cut.jpg": Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]),
        "ok.jpg": img,
      },
      labels: { "ok.txt": "0 0.5 0.5 0.2 0.2\n" },
    });
    const { byStem, text, log } = await scan(dir);
    expect(log.errors).toBe(3);
    expect(text.join("\n")).toMatch(/empty\.jpg: empty file/);
    expect(text.join("\n")).toMatch(/junk\.png: not an image: unknown format/);
    expect(text.join("\n")).toMatch(/cut\.jpg: truncated header/);
    expect(byStem.get("ok")?.ok).toBe(true);
    expect(byStem.get("empty")?.ok).toBe(false);
    // The folder uses labels, so three unlabelled images draw one counting warning... but they are bad:
    // only usable images count as background.
    expect(log.warnings).toBe(0);
  });

  it("names both images of one stem and leaves both out; reports a label without image", async () => {
    const dir = await tempFixture({
      images: { "x.jpg": img, "x.png": img, "y.jpg": img },
      labels: { "x.txt": "0 0.5 0.5 0.2 0.2\n", "y.txt": "", "orphan.txt": "0 0.5 0.5 0.2 0.2\n" },
    });
    const { entries, text, log } = await scan(dir);
    expect(entries.map((e) => e.stem)).toEqual(["y"]);
    expect(log.errors).toBe(2);
    expect(text.join("\n")).toMatch(/2 images share the stem "x" \(x\.jpg, x\.png\); all left out/);
    expect(text.join("\n")).toMatch(/orphan\.txt: label without an image/);
  });

  it("reports a non-UTF-8 file name with its bytes escaped and skips it", async () => {
    const dir = await tempFixture({ images: { "ok.jpg": img }, labels: { "ok.txt": "" } });
    const raw = Buffer.concat([
      Buffer.from(join(dir, "images", "caf")),
      Buffer.from([0xe9]),
      Buffer.from(".jpg"),
    ]);
    await writeFile(raw, "whatever");
    const { entries, text, log } = await scan(dir);
    expect(entries.map((e) => e.imageName)).toEqual(["ok.jpg"]);
    expect(log.errors).toBe(1);
    expect(text[0]).toMatch(/caf\\xe9\.jpg: file name is not valid UTF-8/);
  });

  it("counts images without labels as background, warning once only where labels are used", async () => {
    const withLabels = await tempFixture({
      images: { "a.jpg": img, "b.jpg": img, "c.jpg": img },
      labels: { "a.txt": "0 0.5 0.5 0.2 0.2\n" },
    });
    const r1 = await scan(withLabels);
    expect(r1.entries.every((e) => e.ok)).toBe(true);
    expect(r1.log.warnings).toBe(1);
    expect(r1.text[0]).toMatch(/2 images have no label file, counted as background \(b\.jpg, c\.jpg\)/);
    const noLabels = await tempFixture({ images: { "a.jpg": img, "b.jpg": img } });
    const r2 = await scan(noLabels);
    expect(r2.log.warnings + r2.log.errors).toBe(0);
    expect(r2.entries.map((e) => e.boxes.length)).toEqual([0, 0]);
  });

  it("warns about other files and subfolders", async () => {
    const dir = await tempFixture({
      images: { "a.jpg": img, "notes.md": Buffer.from("hi") },
      labels: { "a.txt": "", "classes.json": "{}" },
    });
    const { text, log } = await scan(dir);
    expect(log.errors).toBe(0);
    expect(text.join("\n")).toMatch(/notes\.md: not an image file extension/);
    expect(text.join("\n")).toMatch(/classes\.json: not a \.txt label file/);
  });
});
