/**
 * Jobs through the web host, each in a real worker child process (dist/src-workers/host/worker-main.js)
 * running the real `azaion` command: convert, a tiny training with its events and sample images,
 * export and inference on a video, a graceful stop (resumable), a worker killed with SIGKILL
 * (crashed) and restarted (resumed), a failing job, and one augmentation service at a time.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src-workers/core/config.js";
import { createHostApi, type HostApi } from "../src-workers/host/api/host-api.js";
import {
  MEDIA,
  mediaQuery,
  type HostEvent,
  type JobEvent,
  type JobInfo,
  type JobSpecInput,
} from "../src-workers/host/contract/index.js";
import { forkLauncher } from "../src-workers/host/jobs/launcher.js";
import { startWebHost, type WebHost } from "../src-workers/host/web/server.js";
import { makeDemoVideo } from "../src-workers/inference/demo-video.js";
import { azaion } from "./support/cli.js";
import { HostClient } from "./support/host-client.js";

let root: string;
let api: HostApi;
let web: WebHost;
let client: HostClient;
let dataYaml: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "azaion-host-jobs-"));
  const synth = await azaion(["--root", root, "synth", "--count", "20", "--size", "96"]);
  expect(synth.code, synth.stderr).toBe(0);
  const split = await azaion(["--root", root, "split"]);
  expect(split.code, split.stderr).toBe(0);
  const ds = (await readdir(join(root, "datasets")))[0]!;
  dataYaml = join(root, "datasets", ds, "data.yaml");
  const config = loadConfig();
  config.root = root;
  api = createHostApi({ root, config, launcher: forkLauncher });
  web = await startWebHost({ api, staticDir: join(root, "no-ui"), port: 0 });
  client = await HostClient.connect(`ws://127.0.0.1:${web.port}/ws`);
});

afterAll(async () => {
  client?.close();
  await api?.close();
  await web?.close();
  await rm(root, { recursive: true, force: true });
});

const ENDED = ["done", "failed", "stopped", "crashed"];

function ended(id: string): Promise<JobInfo> {
  return client
    .waitFor(
      (e): e is Extract<HostEvent, { event: "job.state" }> =>
        e.event === "job.state" && e.job.id === id && ENDED.includes(e.job.state),
      240_000,
    )
    .then((e) => e.job);
}

function events(id: string): JobEvent[] {
  return client.pushes.flatMap((p) => (p.event === "job.event" && p.jobId === id ? [p.data] : []));
}

function nextEvent(id: string, type: JobEvent["type"]): Promise<JobEvent> {
  return client
    .waitFor(
      (e): e is Extract<HostEvent, { event: "job.event" }> =>
        e.event === "job.event" && e.jobId === id && e.data.type === type,
      240_000,
    )
    .then((e) => e.data);
}

async function run(spec: JobSpecInput): Promise<JobInfo> {
  const job = await client.call("jobs.start", { spec });
  return ended(job.id);
}

const tinyTrain = (name: string, epochs: number, samples = 0): JobSpecInput => ({
  kind: "train",
  data: dataYaml,
  epochs,
  imgsz: 64,
  batch: 4,
  workers: 0,
  name,
  samples,
});

describe("jobs in worker processes", () => {
  it("a convert job runs `azaion convert`, logs, and names its outputs", async () => {
    const out = join(root, "coco");
    const job = await run({ kind: "convert", from: "yolo", to: "coco", input: join(root, "data"), out });
    expect(job.state, job.error).toBe("done");
    expect(job.exitCode).toBe(0);
    expect(job.argv).toEqual([
      "--root",
      root,
      "convert",
      join(root, "data"),
      "--from",
      "yolo",
      "--to",
      "coco",
      "--out",
      out,
    ]);
    expect(job.result).toMatchObject({ out });
    const coco = JSON.parse(await readFile(join(out, "annotations.json"), "utf8")) as { images: unknown[] };
    expect(coco.images).toHaveLength(20);
    expect(events(job.id).some((e) => e.type === "log")).toBe(true);
    expect(job.logTail.length).toBeGreaterThan(0);
    const log = await readFile(job.logFile!, "utf8");
    expect(log).toContain("$ azaion --root");
    expect(log).toContain("[done]");
    expect((await client.call("jobs.get", { id: job.id })).state).toBe("done");
    expect((await client.call("jobs.list")).map((j) => j.id)).toContain(job.id);
    // Stopping an ended job changes nothing.
    expect((await client.call("jobs.stop", { id: job.id })).state).toBe("done");
  });

  it("a failing job ends `failed` with the command's message", async () => {
    const job = await run({
      kind: "convert",
      from: "coco",
      input: join(root, "missing.json"),
      out: join(root, "x"),
    });
    expect(job.state).toBe("failed");
    expect(job.exitCode).not.toBe(0);
    expect(job.error).toContain("missing.json");
    expect((await client.error("jobs.get", { id: "nope" })).code).toBe("not_found");
  });

  it("a tiny training streams progress, batch, epoch and sample events, then `done`", async () => {
    const job = await run(tinyTrain("tiny", 2, 2));
    expect(job.state, `${job.error}\n${job.logTail.join("\n")}`).toBe("done");
    const ev = events(job.id);
    const start = ev.find((e) => e.type === "train.start");
    expect(start).toMatchObject({ saveDir: join(root, "runs", "tiny"), startEpoch: 0, epochs: 2 });
    expect(ev.some((e) => e.type === "progress" && e.progress.unit === "batch")).toBe(true);
    const batch = ev.find((e) => e.type === "train.batch");
    expect(batch).toMatchObject({ epoch: 1 });
    expect(batch?.type === "train.batch" && batch.batch >= 1).toBe(true);
    const epochs = ev.filter((e) => e.type === "train.epoch");
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(epochs[1]!.row).toHaveProperty("metrics/mAP50(B)");
    expect(epochs[1]!.row.epoch).toBe(2);
    const samples = ev.filter((e) => e.type === "train.samples");
    expect(samples.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of samples) {
      expect(e.files).toHaveLength(2);
      for (const f of e.files) expect((await sharp(f).metadata()).format).toBe("jpeg");
    }
    expect(job.result).toMatchObject({
      run: join(root, "runs", "tiny"),
      best: join(root, "runs", "tiny", "weights", "best.safetensors"),
    });
    const detail = await client.call("runs.get", { name: "tiny" });
    expect(detail.epochsDone).toBe(2);
    expect(detail.samples.map((s) => s.epoch)).toEqual([1, 2]);
    expect(detail.perClass.length).toBeGreaterThan(0);
    // A sample image is served by the media route (a job named the run folder).
    const r = await fetch(
      `http://127.0.0.1:${web.port}${MEDIA.file}?${mediaQuery({ path: samples[0]!.files[0]! })}`,
    );
    expect(r.headers.get("content-type")).toBe("image/jpeg");
  });

  it("export, then inference on a video, read back by infer.result", async () => {
    const onnx = join(root, "exports", "tiny.onnx");
    const exp = await run({
      kind: "export",
      weights: join(root, "runs", "tiny", "weights", "best.safetensors"),
      imgsz: 64,
      out: onnx,
    });
    expect(exp.state, `${exp.error}\n${exp.logTail.join("\n")}`).toBe("done");
    expect(exp.result?.output).toBe(onnx);
    expect((await stat(onnx)).size).toBeGreaterThan(1000);

    await mkdir(join(root, "uploads"), { recursive: true });
    const video = join(root, "uploads", "flight.mp4");
    await makeDemoVideo(
      join(root, "data", "images"),
      video,
      { ffmpeg: "ffmpeg", ffprobe: "ffprobe" },
      { width: 96, height: 64, seconds: 2, fps: 10 },
    );
    const out = join(root, "runs", "infer", "flight");
    const inf = await run({ kind: "infer", model: onnx, inputs: [video], stride: 4, out });
    expect(inf.state, `${inf.error}\n${inf.logTail.join("\n")}`).toBe("done");
    expect(inf.result?.dir).toBe(out);
    expect(events(inf.id).some((e) => e.type === "progress" && e.progress.label === "infer")).toBe(true);
    const r = await client.call("infer.result", { dir: out });
    expect(r).toMatchObject({ source: video, fps: 10, width: 96, height: 64, stride: 4 });
    expect(r.samples.map((s) => s.frame)).toEqual([0, 4, 8, 12, 16]);
    expect(r.annotated).toBe(join(out, "annotated.mp4"));
    const part = await fetch(
      `http://127.0.0.1:${web.port}${MEDIA.file}?${mediaQuery({ path: r.annotated! })}`,
      { headers: { Range: "bytes=0-99" } },
    );
    expect(part.status).toBe(206);
    expect(part.headers.get("content-type")).toBe("video/mp4");
  });

  it("jobs.stop on a running training ends it `stopped` with a resumable checkpoint", async () => {
    const job = await client.call("jobs.start", { spec: tinyTrain("long", 200) });
    expect(job.pid).toEqual(expect.any(Number));
    await nextEvent(job.id, "train.epoch");
    const stopping = await client.call("jobs.stop", { id: job.id });
    expect(["stopping", "stopped"]).toContain(stopping.state);
    const end = await ended(job.id);
    expect(end.state).toBe("stopped");
    expect(end.pid).toBeUndefined();
    const run = (await client.call("runs.list")).find((r) => r.name === "long")!;
    expect(run.resumable).toBe(true);
    expect(run.epochsDone).toBeGreaterThanOrEqual(1);
    expect(run.epochsDone).toBeLessThan(200);
  });

  it("a worker killed with SIGKILL is `crashed`; jobs.restart resumes the run", async () => {
    const job = await client.call("jobs.start", { spec: tinyTrain("crash", 5) });
    await nextEvent(job.id, "train.epoch");
    expect((await client.error("jobs.restart", { id: job.id })).code).toBe("conflict");
    process.kill(job.pid!, "SIGKILL");
    const end = await ended(job.id);
    expect(end.state).toBe("crashed");
    expect(end.error).toContain("SIGKILL");
    const again = await client.call("jobs.restart", { id: job.id });
    expect(again.id).not.toBe(job.id);
    expect(again.spec).toMatchObject({ kind: "train", name: "crash", resume: true });
    expect(again.argv).toContain("--resume");
    const done = await ended(again.id);
    expect(done.state, `${done.error}\n${done.logTail.join("\n")}`).toBe("done");
    const start = events(again.id).find((e) => e.type === "train.start");
    expect(start).toMatchObject({ epochs: 5 });
    expect((start as { startEpoch: number }).startEpoch).toBeGreaterThanOrEqual(1);
    const csv = (await readFile(join(root, "runs", "crash", "results.csv"), "utf8")).trim().split("\n");
    expect(csv).toHaveLength(6);
  });

  it("one augmentation service at a time; services.status names its job", async () => {
    const job = await client.call("jobs.start", { spec: { kind: "augment", watch: true } });
    expect(job.argv.slice(-2)).toEqual(["augment", "--watch"]);
    const twin = await client.error("jobs.start", { spec: { kind: "augment" } });
    expect(twin.code).toBe("conflict");
    const s = await client.call("services.status");
    expect(s.augment).toMatchObject({ running: true, jobId: job.id });
    await client.waitFor(
      (e) => e.event === "job.state" && e.job.id === job.id && e.job.state === "running",
      60_000,
    );
    await client.call("jobs.stop", { id: job.id });
    const end = await ended(job.id);
    expect(end.state).toBe("stopped");
    expect((await client.call("services.status")).augment.jobId).toBeUndefined();
  });
});
