/**
 * The host API over a real WebSocket to a real server (127.0.0.1, a free port): every method but the
 * jobs (tests/host-jobs.test.ts), on a dataset made by `azaion synth` + `azaion split`, and bad frames.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src-workers/core/config.js";
import { writeFixture } from "../src-workers/core/dataset-fixture.js";
import { formatLabels } from "../src-workers/core/labels.js";
import type { DatasetFolder } from "../src-workers/host/contract/index.js";
import * as torch from "../src-workers/torch/index.js";
import { saveWeights } from "../src-workers/yolo/io/weights.js";
import { azaion } from "./support/cli.js";
import type { HostClient } from "./support/host-client.js";
import { COUNT, SIZE, startHostFixture, type HostFixture } from "./support/host-fixture.js";

let fx: HostFixture;
let root: string;
let client: HostClient;
let data: DatasetFolder;
let badStem: string;

beforeAll(async () => {
  fx = await startHostFixture("host-api");
  ({ root, client, badStem } = fx);
});
afterAll(() => fx?.close());

/** Boxes of every label file of a folder, read as the tests' own reference. */
async function labelClasses(dir: string): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const f of await readdir(join(dir, "labels"))) {
    const text = await readFile(join(dir, "labels", f), "utf8");
    out.set(
      f.slice(0, -4),
      text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => Number(l.split(" ")[0])),
    );
  }
  return out;
}

describe("app and datasets over the WebSocket", () => {
  it("app.info: version, root, the 51 classes of the table and the devices", async () => {
    const info = await client.call("app.info");
    expect(info.root).toBe(root);
    expect(info.slots).toBe(80);
    expect(info.modes).toEqual(["Norm", "Wint", "Night"]);
    expect(info.classes).toHaveLength(51);
    expect(info.classes.find((c) => c.id === 41)?.name).toBe("Truck (Night)");
    expect(info.devices).toContain("cpu");
    expect(await client.call("app.ping")).toEqual({ ok: true });
  });

  it("dataset.folders lists data/ and the split dataset; dataset.open indexes a folder", async () => {
    const folders = await client.call("dataset.folders");
    const labels = folders.map((f) => f.label);
    expect(labels).toContain("data");
    const split = folders.find((f) => f.kind === "split")!;
    expect(split.label).toMatch(/^datasets\/azaion-\d{4}-\d\d-\d\d$/);
    expect(split.splits).toEqual(["train", "valid", "test"]);
    data = await client.call("dataset.open", { path: join(root, "data") });
    expect(data).toMatchObject({ kind: "flat", images: COUNT, path: join(root, "data") });
    const again = await client.call("dataset.folders");
    expect(again.find((f) => f.id === data.id)?.images).toBe(COUNT);
    const notDataset = await client.error("dataset.open", { path: root });
    expect(notDataset.code).toBe("usage");
    expect(notDataset.message).toContain("not a dataset folder");
  });

  it("dataset.query pages and filters by class, mode, box count, stem text and problems", async () => {
    const ref = await labelClasses(join(root, "data"));
    const all = await client.call("dataset.query", { folder: data.id, limit: 10 });
    expect(all.total).toBe(COUNT);
    expect(all.items).toHaveLength(10);
    const page2 = await client.call("dataset.query", { folder: data.id, offset: 20, limit: 10 });
    expect(page2.items.map((i) => i.key)).toHaveLength(COUNT - 20);
    const item = all.items.find((i) => i.stem !== badStem)!;
    expect(item).toMatchObject({ width: SIZE, height: SIZE, problems: [] });
    expect("split" in item).toBe(false);
    expect(item.boxes.map((b) => b.cls)).toEqual(ref.get(item.stem));

    const cls = ref.get(item.stem)![0]!;
    const withCls = [...ref].filter(([s, ids]) => s !== badStem && ids.includes(cls)).map(([s]) => s);
    const byClass = await client.call("dataset.query", {
      folder: data.id,
      filter: { classes: [cls] },
      limit: 100,
    });
    // The bad image keeps its good boxes in the index: count it when it holds the class.
    const expectClass = withCls.length + (ref.get(badStem)!.slice(0, -1).includes(cls) ? 1 : 0);
    expect(byClass.total).toBe(expectClass);
    expect(byClass.items.every((i) => i.boxes.some((b) => b.cls === cls))).toBe(true);

    const night = await client.call("dataset.query", {
      folder: data.id,
      filter: { modes: ["Night"] },
      limit: 100,
    });
    const expectNight = [...ref].filter(([s, ids]) =>
      (s === badStem ? ids.slice(0, -1) : ids).some((i) => i >= 40 && i < 60),
    );
    expect(night.total).toBe(expectNight.length);

    const counts = [...ref].map(([s, ids]) => (s === badStem ? ids.length - 1 : ids.length));
    const min = Math.max(...counts);
    const busiest = await client.call("dataset.query", {
      folder: data.id,
      filter: { minBoxes: min },
      limit: 100,
    });
    expect(busiest.total).toBe(counts.filter((c) => c >= min).length);
    const few = await client.call("dataset.query", { folder: data.id, filter: { maxBoxes: 0 }, limit: 100 });
    expect(few.total).toBe(counts.filter((c) => c === 0).length);

    const text = await client.call("dataset.query", {
      folder: data.id,
      filter: { text: item.stem.toUpperCase() },
    });
    expect(text.items.map((i) => i.stem)).toEqual([item.stem]);

    const bad = await client.call("dataset.query", { folder: data.id, filter: { problemsOnly: true } });
    expect(bad.total).toBe(1);
    expect(bad.items[0]!.stem).toBe(badStem);
    expect(bad.items[0]!.problems[0]).toMatchObject({ severity: "error", field: "class" });
    expect(bad.items[0]!.problems[0]!.file).toBe(join(root, "data", "labels", `${badStem}.txt`));
    expect(bad.items[0]!.problems[0]!.message).toContain("class 93");
  });

  it("dataset.query on a split dataset keys items by split and filters by split", async () => {
    const folders = await client.call("dataset.folders");
    const split = await client.call("dataset.open", { path: folders.find((f) => f.kind === "split")!.path });
    expect(split.images).toBe(COUNT);
    const valid = await client.call("dataset.query", {
      folder: split.id,
      filter: { split: "valid" },
      limit: 100,
    });
    const files = await readdir(join(split.path, "valid", "images"));
    expect(valid.total).toBe(files.length);
    expect(valid.items.every((i) => i.split === "valid" && i.key === `valid/${i.stem}`)).toBe(true);
    const none = await client.call("dataset.query", { folder: split.id, filter: { split: "nope" } });
    expect(none.total).toBe(0);
  });

  it("dataset.stats gives the numbers `azaion stats` gives, and filters them", async () => {
    const s = await client.call("dataset.stats", { folder: data.id, imgsz: 640 });
    const cli = await azaion(["--root", root, "stats", join(root, "data"), "--imgsz", "640", "--json"]);
    const ref = JSON.parse(cli.stdout) as {
      images: number;
      boxes: number;
      emptyImages: number;
      tinyBoxes: number;
      table: unknown;
      sizes: unknown;
    };
    expect(s.images).toBe(ref.images);
    expect(s.boxes).toBe(ref.boxes);
    expect(s.emptyImages).toBe(ref.emptyImages);
    expect(s.tinyBoxes).toBe(ref.tinyBoxes);
    expect(s.table).toEqual(ref.table);
    expect(s.sizes).toEqual(ref.sizes);
    const night = await client.call("dataset.stats", { folder: data.id, filter: { modes: ["Night"] } });
    expect(night.images).toBeLessThan(s.images);
    expect(night.imgsz).toBe(loadConfig().dataset.imgsz);
  });

  it("dataset.item and errors for an unknown key or an unopened folder", async () => {
    const page = await client.call("dataset.query", { folder: data.id, limit: 1 });
    const item = await client.call("dataset.item", { folder: data.id, key: page.items[0]!.key });
    expect(item).toEqual(page.items[0]);
    expect((await client.error("dataset.item", { folder: data.id, key: "nope" })).code).toBe("not_found");
    expect((await client.error("dataset.query", { folder: "unopened" })).code).toBe("not_found");
  });
});

describe("labels.save", () => {
  it("writes the label file atomically, pushes dataset.changed and refuses a stale revision", async () => {
    const page = await client.call("dataset.query", { folder: data.id, filter: { minBoxes: 2 }, limit: 100 });
    const item = page.items.find((i) => i.problems.length === 0)!;
    const file = join(root, "data", "labels", `${item.stem}.txt`);
    const boxes = [
      { ...item.boxes[0]!, cx: 0.5, cy: 0.25, w: 0.2, h: 0.1 },
      { cls: 21, cx: 0.1, cy: 0.9, w: 0.05, h: 0.05 },
    ];
    const changed = client.waitFor((e) => e.event === "dataset.changed" && e.keys.includes(item.key));
    const saved = await client.call("labels.save", {
      folder: data.id,
      key: item.key,
      boxes,
      revision: item.revision,
    });
    expect(saved.revision).not.toBe(item.revision);
    expect(saved.boxes).toEqual(boxes);
    const text = await readFile(file, "utf8");
    expect(text).toBe(
      formatLabels(boxes.map((b) => ({ classId: b.cls, cx: b.cx, cy: b.cy, w: b.w, h: b.h }))),
    );
    await changed;
    // Atomic: no temporary file is left beside the label.
    expect((await readdir(join(root, "data", "labels"))).filter((f) => !f.endsWith(".txt"))).toEqual([]);
    expect(await client.call("dataset.item", { folder: data.id, key: item.key })).toEqual(saved);

    const stale = await client.error("labels.save", {
      folder: data.id,
      key: item.key,
      boxes: [],
      revision: item.revision,
    });
    expect(stale.code).toBe("conflict");
    expect(stale.message).toContain(file);
    expect(await readFile(file, "utf8")).toBe(text);

    const refused = (cls: number, w: number) =>
      client.error("labels.save", {
        folder: data.id,
        key: item.key,
        boxes: [{ cls, cx: 0.5, cy: 0.5, w, h: 0.1 }],
        revision: saved.revision,
      });
    const badClass = await refused(93, 0.1);
    expect(badClass.code).toBe("data");
    expect(badClass.message).toMatch(/boxes\[0\]\.cls: class 93 is outside/);
    const unused = await refused(17, 0.1);
    expect(unused.message).toContain("unused slot");
    const zero = await refused(0, 0);
    expect(zero.message).toContain("boxes[0].w");
    expect(await readFile(file, "utf8")).toBe(text);

    // Saving no boxes makes a background image (an empty file).
    const empty = await client.call("labels.save", {
      folder: data.id,
      key: item.key,
      boxes: [],
      revision: saved.revision,
    });
    expect(empty.boxes).toEqual([]);
    expect(await readFile(file, "utf8")).toBe("");
  });

  it("a label changed on disk by someone else reaches the index and every client", async () => {
    const page = await client.call("dataset.query", { folder: data.id, limit: 3 });
    const item = page.items[2]!;
    const changed = client.waitFor((e) => e.event === "dataset.changed" && e.keys.includes(item.key), 20_000);
    await writeFile(join(root, "data", "labels", `${item.stem}.txt`), "16 0.5 0.5 0.25 0.25\n");
    await changed;
    const now = await client.call("dataset.item", { folder: data.id, key: item.key });
    expect(now.boxes).toEqual([{ cls: 16, cx: 0.5, cy: 0.5, w: 0.25, h: 0.25 }]);
    expect(now.revision).not.toBe(item.revision);
  });
});

describe("problems an edit does not change", () => {
  it("two images with one stem stay reported after their label is saved", async () => {
    const dir = await writeFixture(join(root, "dup"), {
      images: { "a.jpg": { w: 32, h: 32 }, "a.png": { w: 32, h: 32 }, "b.jpg": { w: 32, h: 32 } },
      labels: { "a.txt": "0 0.5 0.5 0.2 0.2\n", "b.txt": "", "orphan.txt": "" },
    });
    const f = await client.call("dataset.open", { path: dir });
    expect(f.images).toBe(2);
    const bad = await client.call("dataset.query", { folder: f.id, filter: { problemsOnly: true } });
    expect(bad.items.map((i) => i.stem)).toEqual(["a"]);
    expect(bad.items[0]!.problems[0]!.message).toContain('2 images share the stem "a"');
    const saved = await client.call("labels.save", {
      folder: f.id,
      key: "a",
      boxes: [],
      revision: bad.items[0]!.revision,
    });
    expect(saved.problems[0]!.message).toContain("share the stem");
    const stats = await client.call("dataset.stats", { folder: f.id });
    expect(stats.images).toBe(1);
  });
});

describe("runs, inference results, services and files", () => {
  it("runs.list and runs.get read a run folder", async () => {
    const run = join(root, "runs", "r1");
    await mkdir(join(run, "weights"), { recursive: true });
    await mkdir(join(run, "samples"), { recursive: true });
    await mkdir(join(run, "exports"), { recursive: true });
    // As the trainer writes it: no model key, and `scale` is the augmentation's.
    await writeFile(join(run, "args.yaml"), "epochs: 5\nbatch: 4\nimgsz: 64\nscale: 0.5\n");
    await writeFile(
      join(run, "results.csv"),
      "epoch,time,train/box_loss,metrics/mAP50(B),metrics/mAP50-95(B)\n1,1.5,2.5,0.1,0.05\n2,3,2.1,0.3,0.12\n",
    );
    await writeFile(join(run, "per_class.csv"), "class,images,P\nTruck (Norm),3,0.5\n");
    for (const f of ["weights/last.safetensors", "weights/last.state.safetensors", "exports/best.onnx"])
      await writeFile(join(run, f), "x");
    // The architecture is in the checkpoint's metadata, as saveWeights writes it.
    const bias = torch.zeros([1]);
    await saveWeights(join(run, "weights", "best.safetensors"), new Map([["model.0.bias", bias]]), {
      format: "azaion-yolo",
      formatVersion: 1,
      task: "detect",
      scale: "s",
      nc: 1,
      names: ["Truck (Norm)"],
      imgsz: 64,
      strides: [8, 16, 32],
      trainArgs: { epochs: 5 },
      metrics: {},
      date: new Date().toISOString(),
      version: "0.0.0",
      source: "yolo11s",
    });
    bias.dispose();
    await sharp({ create: { width: 8, height: 8, channels: 3, background: "#000" } })
      .jpeg()
      .toFile(join(run, "samples", "epoch2_0.jpg"));
    await sharp({ create: { width: 8, height: 8, channels: 3, background: "#000" } })
      .png()
      .toFile(join(run, "results.png"));

    const list = await client.call("runs.list");
    const r = list.find((x) => x.name === "r1")!;
    expect(r).toMatchObject({
      model: "yolo11s",
      epochs: 5,
      imgsz: 64,
      epochsDone: 2,
      bestMap50: 0.3,
      bestMap5095: 0.12,
      resumable: true,
    });
    expect(r.best).toBe(join(run, "weights", "best.safetensors"));
    expect(r.exports).toEqual([join(run, "exports", "best.onnx")]);
    const d = await client.call("runs.get", { name: "r1" });
    expect(d.results[1]).toMatchObject({ epoch: 2, "metrics/mAP50(B)": 0.3 });
    expect(d.perClass).toEqual([{ class: "Truck (Norm)", images: "3", P: "0.5" }]);
    expect(d.samples).toEqual([{ epoch: 2, files: [join(run, "samples", "epoch2_0.jpg")] }]);
    expect(d.images).toContain(join(run, "results.png"));
    expect((await client.error("runs.get", { name: "../etc" })).code).toBe("not_found");
  });

  it("infer.result reads an inference folder; an unfinished or image run is refused", async () => {
    const dir = join(root, "runs", "infer", "v1");
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "detections.jsonl"),
      [
        {
          frame: 0,
          time: 0,
          detections: [{ xyxy: [1, 2, 30, 40], conf: 0.9, cls: 41, name: "Truck (Night)", track: 1 }],
        },
        { frame: 4, time: 0.4, detections: [] },
      ]
        .map((l) => JSON.stringify(l))
        .join("\n") + "\n",
    );
    const early = await client.error("infer.result", { dir });
    expect(early.code).toBe("not_found");
    expect(early.message).toContain("not finished");
    await writeFile(
      join(dir, "run.json"),
      JSON.stringify({ source: "/v.mp4", stride: 4, video: { width: 320, height: 240, fps: 10, frames: 8 } }),
    );
    const r = await client.call("infer.result", { dir });
    expect(r).toMatchObject({
      dir,
      source: "/v.mp4",
      fps: 10,
      width: 320,
      height: 240,
      frames: 8,
      stride: 4,
    });
    expect(r.samples).toEqual([
      {
        frame: 0,
        time: 0,
        detections: [{ box: [1, 2, 30, 40], cls: 41, name: "Truck (Night)", score: 0.9, track: 1 }],
      },
      { frame: 4, time: 0.4, detections: [] },
    ]);
    expect(Object.keys(r.files).sort()).toEqual(["detections.jsonl", "run.json"]);
    await writeFile(join(dir, "detections.jsonl"), "{not json\n");
    const bad = await client.error("infer.result", { dir });
    expect(bad).toMatchObject({ code: "data" });
    expect(bad.message).toContain("detections.jsonl:1");
  });

  it("services.status reads the queue's status, lock and quarantine, and is pushed", async () => {
    await mkdir(join(root, "queue", "quarantine"), { recursive: true });
    await writeFile(join(root, "queue", "status.json"), JSON.stringify({ state: "consuming", offset: 41 }));
    await writeFile(join(root, "queue", "lock"), `${process.pid}\n`);
    await writeFile(join(root, "queue", "quarantine", "00000000000000000007.json"), "{}");
    const s = await client.call("services.status");
    expect(s.queue).toEqual({ status: { state: "consuming", offset: 41 }, running: true, quarantined: 1 });
    expect(s.augment).toEqual({ status: null, running: false, quarantined: 0 });
    const pushed = await client.waitFor(
      (e) => e.event === "services" && e.status.queue.quarantined === 1,
      15_000,
    );
    expect(pushed).toMatchObject({ status: { queue: { running: true, status: { state: "consuming" } } } });
  });

  it("fs.list: folders first, an extension filter, the parent", async () => {
    const l = await client.call("fs.list", { path: root, extensions: ["mp4"] });
    expect(l.parent).toBe(tmpdir());
    expect(l.entries.every((e) => e.dir)).toBe(true);
    expect(l.entries.map((e) => e.name)).toEqual(expect.arrayContaining(["data", "datasets", "runs"]));
    const files = await client.call("fs.list", { path: join(root, "data", "images") });
    expect(files.entries).toHaveLength(COUNT);
    expect(files.entries[0]!.dir).toBe(false);
    expect(files.entries[0]!.size).toBeGreaterThan(0);
    expect((await client.call("fs.list", {})).path).toBe(root);
    expect((await client.error("fs.list", { path: join(root, "nope") })).code).toBe("not_found");
  });
});

describe("bad input", () => {
  it("answers malformed frames, unknown methods and bad params with errors, and goes on", async () => {
    const next = () =>
      new Promise<unknown>((r) => {
        const n = client.stray.length;
        const t = setInterval(() => {
          if (client.stray.length > n) {
            clearInterval(t);
            r(client.stray[n]);
          }
        }, 10);
      });
    let stray = next();
    client.ws.send("{not json");
    expect(await stray).toMatchObject({ id: 0, ok: false, error: { code: "bad_request" } });
    stray = next();
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await stray).toMatchObject({ id: 0, ok: false, error: { code: "bad_request" } });
    stray = next();
    client.ws.send(JSON.stringify({ id: 999, params: {} }));
    expect(await stray).toMatchObject({ id: 999, ok: false, error: { code: "bad_request" } });
    expect(await client.error("no.such.method")).toMatchObject({
      code: "bad_request",
      message: 'unknown method "no.such.method"',
    });
    expect(await client.error("__proto__")).toMatchObject({ code: "bad_request" });
    const bad = await client.error("dataset.query", {
      folder: data.id,
      limit: -3,
      filter: { minBoxes: "x" },
    });
    expect(bad.code).toBe("bad_request");
    expect(bad.message).toContain("params.limit");
    expect(bad.message).toContain("params.filter.minBoxes");
    expect(await client.error("jobs.start", { spec: { kind: "rm -rf" } })).toMatchObject({
      code: "bad_request",
    });
    expect(await client.call("app.ping")).toEqual({ ok: true });
  });
});
