/**
 * `azaion infer --submit` and `--worker` end to end: real RabbitMQ, real ffmpeg and ONNX Runtime,
 * the shapes model of tests/data/yolo11 exported to ONNX. Two jobs (a video, a folder of images)
 * must give what `azaion infer` gives on the same inputs, even when the worker that took the first
 * is killed (-9) inside it: the job then runs again on another worker, and no temporary folder stays.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportOnnx } from "../src-workers/export/onnx/export-onnx.js";
import { loadDetector } from "../src-workers/yolo/predict/load.js";
import { azaion, repoRoot } from "./support/cli.js";
import { useRabbitMq } from "./support/rabbitmq.js";
import { amqpView, captures, lsOrEmpty, startAzaion, until, type Proc } from "./support/workq.js";

const broker = useRabbitMq();
const FIXTURES = join(repoRoot, "tests", "data", "yolo11");
const QUEUE = "azaion-infer";

let dir: string;
let root: string;
let model: string;
let video: string;
let images: string;
const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...broker.env, AZAION_ROOT: root, ...extra });

/** 16 frames of 320x288: the fixture photo at 280x240 on grey, moved (2, 1) px a frame. */
async function makeVideo(file: string): Promise<void> {
  const [PW, PH, W, H] = [280, 240, 320, 288];
  const photo = await sharp(join(FIXTURES, "val_00003.jpg"))
    .resize(PW, PH, { fit: "fill" })
    .removeAlpha()
    .raw()
    .toBuffer();
  const ff = spawn(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${W}x${H}`],
      ...["-r", "10", "-i", "pipe:0", "-c:v", "libx264rgb", "-qp", "0", "-preset", "ultrafast"],
      ...["-threads", "1", "-y", file],
    ],
    { stdio: ["pipe", "ignore", "inherit"] },
  );
  const done = new Promise((resolve) => ff.on("close", resolve));
  for (let k = 0; k < 16; k++) {
    const frame = Buffer.alloc(W * H * 3, 114);
    for (let y = 0; y < PH; y++) photo.copy(frame, ((y + k) * W + 2 * k) * 3, y * PW * 3, (y + 1) * PW * 3);
    if (!ff.stdin.write(frame)) await new Promise((r) => ff.stdin.once("drain", r));
  }
  ff.stdin.end();
  expect(await done).toBe(0);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-workq-infer-"));
  root = join(dir, "root");
  model = join(root, "models", "shapes.onnx");
  video = join(root, "videos", "moving.mp4");
  images = join(root, "photos");
  await mkdir(join(root, "models"), { recursive: true });
  await mkdir(join(root, "videos"), { recursive: true });
  await mkdir(images, { recursive: true });
  const det = await loadDetector(join(FIXTURES, "yolo11n-shapes-nc5.pt"), { fuse: false });
  try {
    await writeFile(model, exportOnnx(det.model, { imgsz: 320, nms: false }).bytes);
  } finally {
    det.model.dispose();
  }
  await makeVideo(video);
  const photo = sharp(join(FIXTURES, "val_00003.jpg"));
  await photo.clone().toFile(join(images, "a.jpg"));
  await photo.clone().flop().toFile(join(images, "b.jpg"));
  await photo.clone().resize({ width: 200 }).toFile(join(images, "c.png"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const DONE = /infer worker: job (\w+) done in /;

async function worker(extra: NodeJS.ProcessEnv = {}): Promise<Proc> {
  const w = startAzaion(["infer", "--worker", "--threads", "1"], env(extra));
  await w.waitFor(/infer worker: connected to amqp/);
  return w;
}

describe("infer work queue", () => {
  it("runs 2 jobs as azaion infer does, and a worker killed (-9) mid-job loses nothing", async () => {
    const refVideo = join(dir, "ref-video");
    const refImages = join(dir, "ref-images");
    for (const [input, out] of [
      [video, refVideo],
      [images, refImages],
    ] as const) {
      const r = await azaion(["infer", model, input, "--out", out, "--threads", "1"], { env: env() });
      expect(r.code, r.stderr).toBe(0);
    }

    const slow = await worker({ AZAION_TEST_JOB_DELAY_MS: "60000" });
    const runs = join(root, "runs", "queued");
    const sub = await azaion(["infer", "--submit", model, video, images, "--out", runs], { env: env() });
    expect(sub.code, sub.stderr).toBe(0);
    const jobs = captures(sub.stdout, /^(\w+) /);
    expect(jobs).toHaveLength(2);
    expect(sub.stdout).toContain("videos/moving.mp4 -> runs/queued/moving.mp4");
    expect(sub.stdout).toContain("photos -> runs/queued/photos");

    // The slow worker has written the video job's results into its temporary folder and waits.
    const partial = join(runs, ".moving.mp4.partial");
    await until(async () => (await lsOrEmpty(partial)).includes("run.json"));
    slow.child.kill("SIGKILL");
    expect((await slow.exit).signal).toBe("SIGKILL");
    expect(await lsOrEmpty(runs)).toEqual([".moving.mp4.partial"]);

    const fast = await worker();
    await until(() => captures(fast.log(), DONE).length >= 2);
    fast.child.kill("SIGTERM");
    expect((await fast.exit).code, fast.log()).toBe(0);
    expect(captures(fast.log(), DONE).sort()).toEqual([...jobs].sort());
    expect(fast.log()).toMatch(new RegExp(`job ${jobs[0]} started: .*\\(delivery 2: `));

    expect(await lsOrEmpty(runs)).toEqual(["moving.mp4", "photos"]);
    for (const [got, want] of [
      [join(runs, "moving.mp4"), refVideo],
      [join(runs, "photos"), refImages],
    ] as const) {
      expect(await lsOrEmpty(got)).toEqual(await lsOrEmpty(want));
      for (const f of ["detections.jsonl", "summary.csv"])
        expect(await readFile(join(got, f), "utf8"), f).toBe(await readFile(join(want, f), "utf8"));
    }
    // The comparison means something: the model finds the shapes.
    expect(
      (await readFile(join(refImages, "detections.jsonl"), "utf8")).match(/"conf"/g)?.length,
    ).toBeGreaterThan(3);
    const view = await amqpView(broker.port + 1);
    try {
      expect(await view.depth(QUEUE)).toBe(0);
      expect(await view.depth(`${QUEUE}.dead`)).toBe(0);
    } finally {
      await view.close();
    }
  });
});
