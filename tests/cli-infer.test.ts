/**
 * `azaion infer` end to end, on the real binary with real ffmpeg and ONNX Runtime: the shapes model
 * (Ultralytics-trained, tests/data/yolo11) exported to ONNX at 320 px, run on a synthetic video in
 * which a crop of val_00003.jpg moves at a known speed, so every expected box is known exactly.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportOnnx } from "../src-workers/export/onnx/export-onnx.js";
import { loadDetector } from "../src-workers/yolo/predict/load.js";
import { azaion } from "./support/cli.js";
import { FIXTURES, VIDEO, makeShapesVideo, offset } from "./support/shapes-video.js";

type Box = [number, number, number, number];
interface Det {
  xyxy: Box;
  conf: number;
  cls: number;
  name: string;
  track: number | null;
}
interface FrameLine {
  frame: number;
  time: number;
  detections: Det[];
}

const { width: W, height: H, fps: FPS, frames: FRAMES } = VIDEO;
const reference = JSON.parse(await readFile(join(FIXTURES, "yolo11n-shapes-nc5-predict.json"), "utf8")) as {
  detections: { xyxy: Box }[];
};

let dir: string;
let video: string;
let rawModel: string;
let nmsModel: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-cli-infer-"));
  video = join(dir, "moving.mp4");
  rawModel = join(dir, "shapes-raw.onnx");
  nmsModel = join(dir, "shapes-nms.onnx");
  const det = await loadDetector(join(FIXTURES, "yolo11n-shapes-nc5.pt"), { fuse: false });
  try {
    await writeFile(rawModel, exportOnnx(det.model, { imgsz: 320, nms: false }).bytes);
    await writeFile(nmsModel, exportOnnx(det.model, { imgsz: 320, nms: true }).bytes);
  } finally {
    det.model.dispose();
  }
  await makeShapesVideo(video, "lossless");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const lines = async (d: string): Promise<FrameLine[]> =>
  (await readFile(join(d, "detections.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as FrameLine);

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const area = (r: Box) => (r[2] - r[0]) * (r[3] - r[1]);
  return (w * h) / (area(a) + area(b) - w * h);
}

/** The planted objects of frame k: the reference detections moved with the crop. */
function expected(k: number): Box[] {
  const [dx, dy] = offset(k);
  return reference.detections.map(({ xyxy: [a, b, c, d] }) => [a + dx, b + dy, c + dx, d + dy]);
}

const probe = promisify(execFile);

describe("azaion infer on a video", () => {
  it("finds the planted objects in every sampled frame, with stable track ids and exact timestamps", async () => {
    const out = join(dir, "run-video");
    const r = await azaion(["infer", rawModel, video, "--stride", "3", "--out", out, "--save-video"]);
    // Two CPU sessions on 2+ cores, then batches of 2 by default.
    expect(r.stderr).toContain(
      availableParallelism() >= 2
        ? "5 classes, 320x320 input, batch 2, NMS here, on cpu (2 sessions side by side)"
        : "5 classes, 320x320 input, batch 8, NMS here, on cpu",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/infer: 10 sampled frames \(every 3rd of 30\)/);
    const got = await lines(out);
    expect(got.map((l) => l.frame)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    expect(got.map((l) => l.time)).toEqual(got.map((l) => l.frame / FPS));
    // Each planted object: hit (IoU > 0.5) in every sampled frame, and one track id on it throughout.
    for (let i = 0; i < reference.detections.length; i++) {
      const idsPerFrame = got.map((l) => {
        const want = expected(l.frame)[i]!;
        const hits = l.detections.filter((d) => iou(d.xyxy, want) > 0.5);
        expect(hits.length, `object ${i} in frame ${l.frame}`).toBeGreaterThan(0);
        return new Set(hits.map((d) => d.track));
      });
      const kept = [...idsPerFrame[0]!].filter((id) => id !== null && idsPerFrame.every((s) => s.has(id)));
      expect(kept.length, `a track id that stays on object ${i}`).toBeGreaterThan(0);
    }

    const csv = (await readFile(join(out, "summary.csv"), "utf8")).trim().split("\n");
    expect(csv[0]).toBe("start_s,end_s,frames,class,name,detections,max_per_frame,mean_per_frame,tracks");
    const rows = csv.slice(1).map((l) => l.split(","));
    // Sampled frames per second: 0, 3, 6, 9 | 12, 15, 18 | 21, 24, 27.
    expect([...new Set(rows.map((c) => `${c[0]}-${c[1]}:${c[2]}`))]).toEqual(["0-1:4", "1-2:3", "2-3:3"]);
    const perSecond = (s: string) => rows.filter((c) => c[0] === s).reduce((n, c) => n + Number(c[5]), 0);
    expect(["0", "1", "2"].map(perSecond)).toEqual([
      got.filter((l) => l.frame < 10).reduce((n, l) => n + l.detections.length, 0),
      got.filter((l) => l.frame >= 10 && l.frame < 20).reduce((n, l) => n + l.detections.length, 0),
      got.filter((l) => l.frame >= 20).reduce((n, l) => n + l.detections.length, 0),
    ]);

    const run = JSON.parse(await readFile(join(out, "run.json"), "utf8")) as Record<string, unknown>;
    expect(run).toMatchObject({ frames_decoded: 30, frames_sampled: 10, complete: true, device: "cpu" });

    const { stdout } = await probe("ffprobe", [
      ...["-v", "error", "-count_frames", "-select_streams", "v:0"],
      ...[
        "-show_entries",
        "stream=width,height,nb_read_frames,codec_name",
        "-of",
        "csv=p=0",
        join(out, "annotated.mp4"),
      ],
    ]);
    expect(stdout.trim()).toBe(`h264,${W},${H},${FRAMES}`);
    // Frame 1 (not sampled) shows frame 0's boxes: the annotated copy differs from the source on a box edge.
    const frameOf = async (file: string, n: number): Promise<Buffer> =>
      (
        await promisify(execFile)(
          "ffmpeg",
          [
            "-v",
            "error",
            "-i",
            file,
            "-vf",
            `select=eq(n\\,${n})`,
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
          ],
          { encoding: "buffer", maxBuffer: 1 << 22 },
        )
      ).stdout;
    const [src, drawn] = await Promise.all([frameOf(video, 1), frameOf(join(out, "annotated.mp4"), 1)]);
    const b = got[0]!.detections[0]!.xyxy.map(Math.round) as Box;
    let changed = 0;
    for (let x = b[0]; x <= b[2]; x++) {
      const p = (b[1] * W + x) * 3;
      if (Math.abs(src[p]! - drawn[p]!) + Math.abs(src[p + 1]! - drawn[p + 1]!) > 60) changed++;
    }
    expect(changed).toBeGreaterThan((b[2] - b[0]) / 2);
  });

  it("runs a model with NMS inside at the default stride 4, without tracking", async () => {
    const out = join(dir, "run-nms");
    const r = await azaion(["-q", "infer", nmsModel, video, "--no-track", "--batch", "3", "--out", out]);
    expect(r.code).toBe(0);
    const got = await lines(out);
    expect(got.map((l) => l.frame)).toEqual([0, 4, 8, 12, 16, 20, 24, 28]);
    expect(got.map((l) => l.time)).toEqual([0, 0.4, 0.8, 1.2, 1.6, 2, 2.4, 2.8]);
    for (const l of got) {
      expect(l.detections.every((d) => d.track === null && d.conf >= 0.25)).toBe(true);
      for (const want of expected(l.frame).slice(0, 2))
        expect(l.detections.some((d) => iou(d.xyxy, want) > 0.5)).toBe(true);
    }
  });

  it("gives the same results with one ONNX Runtime session as with several side by side", async () => {
    const runs: string[] = [];
    for (const [engines, batch] of [
      ["1", "8"],
      ["3", "2"],
    ] as const) {
      const out = join(dir, `run-engines-${engines}`);
      const r = await azaion([
        "infer",
        rawModel,
        video,
        "--stride",
        "2",
        "--engines",
        engines,
        "--batch",
        batch,
        "--out",
        out,
      ]);
      expect(r.code).toBe(0);
      expect(r.stderr.includes("3 sessions side by side")).toBe(engines === "3");
      runs.push(await readFile(join(out, "detections.jsonl"), "utf8"));
    }
    expect(runs[0]!.trim().split("\n")).toHaveLength(15);
    expect(runs[1]).toBe(runs[0]);
  });

  it("reports a truncated video by name with how far it got, after writing what it read", async () => {
    const whole = await readFile(video);
    const cut = join(dir, "cut.mp4");
    // The first (key) frame holds most of the bytes of this lossless video: keep it and a few more.
    await writeFile(cut, whole.subarray(0, whole.length - 4000));
    const out = join(dir, "run-cut");
    const r = await azaion(["-q", "infer", rawModel, cut, "--stride", "3", "--out", out]);
    expect(r.code).toBe(1);
    const m = /cut\.mp4: the file ends early: read (\d+) of the 10 sampled frames/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const read = Number(m![1]);
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(10);
    expect((await lines(out)).length).toBe(read);
    const run = JSON.parse(await readFile(join(out, "run.json"), "utf8")) as Record<string, unknown>;
    expect(run.complete).toBe(false);
  });

  it("names a file that is not a video, and a model that is not ONNX", async () => {
    const bad = join(dir, "notes.mp4");
    await writeFile(bad, "this is not a video\n");
    const r = await azaion(["-q", "infer", rawModel, bad, "--out", join(dir, "run-bad")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: not a readable video`);
    const m = await azaion(["-q", "infer", bad, video, "--out", join(dir, "run-bad2")]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(`${bad}: not an ONNX model`);
  });

  it("refuses bad usage with exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--stride", "0"], /--stride 0: expected a whole number from 1 to 10000/],
      [["--conf", "1.5"], /--conf 1.5: expected a number from 0 to 1/],
      [["--imgsz", "640"], /--imgsz 640: .* takes 320x320 input/],
      [["--device", "gpu"], /--device gpu: expected cpu, cuda\[:N\] or tensorrt\[:N\]/],
    ];
    for (const [flags, message] of cases) {
      const r = await azaion([
        "-q",
        "infer",
        rawModel,
        video,
        ...flags,
        "--out",
        join(dir, `run-usage-${flags[0]}`),
      ]);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
    }
    const mixed = await azaion(["-q", "infer", rawModel, video, join(FIXTURES, "val_00003.jpg")]);
    expect(mixed.stderr).toMatch(/give one video, or images/);
    expect(mixed.code).toBe(2);
  });
});

describe("azaion infer on images", () => {
  it("gives Ultralytics' detections, skips an unreadable image by name, and falls back from a missing provider", async () => {
    const imgs = join(dir, "folder");
    await mkdir(imgs);
    await copyFile(join(FIXTURES, "val_00003.jpg"), join(imgs, "a.jpg"));
    await writeFile(join(imgs, "broken.jpg"), "not a jpeg");
    const out = join(dir, "run-images");
    const r = await azaion(["infer", rawModel, imgs, "--device", "tensorrt", "--save-img", "--out", out]);
    expect(r.stderr).toMatch(/the tensorrt execution provider is not available \(.+\); falling back to cuda/);
    expect(r.stderr).toMatch(/the cuda execution provider is not available \(.+\); falling back to cpu/);
    expect(r.stderr).toContain(`${join(imgs, "broken.jpg")}: cannot decode the image`);
    expect(r.code).toBe(1);
    const got = (await readFile(join(out, "detections.jsonl"), "utf8")).trim().split("\n");
    expect(got).toHaveLength(1);
    const line = JSON.parse(got[0]!) as { file: string; detections: Det[] };
    expect(line.file).toBe(join(imgs, "a.jpg"));
    const ref = reference.detections as (Det & { xyxy: Box })[];
    expect(line.detections.map((d) => d.name)).toEqual(ref.map((d) => d.name));
    line.detections.forEach((d, i) => {
      expect(Math.abs(d.conf - ref[i]!.conf)).toBeLessThan(2e-3);
      d.xyxy.forEach((v, k) => expect(Math.abs(v - ref[i]!.xyxy[k]!)).toBeLessThan(0.05));
    });
    expect(await readdir(join(out, "images"))).toEqual(["a.png"]);
    const csv = (await readFile(join(out, "summary.csv"), "utf8")).trim().split("\n");
    expect(csv).toEqual([
      "class,name,images,detections,mean_conf",
      expect.stringMatching(/^0,rect_filled,1,3,/),
      expect.stringMatching(/^1,rect_outline,1,1,/),
      expect.stringMatching(/^2,ellipse_filled,1,1,/),
    ]);
  });
});
