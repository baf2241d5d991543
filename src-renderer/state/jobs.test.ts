import { describe, expect, it } from "vitest";
import type { HostEvent, JobEvent, JobInfo } from "../../src-workers/host/contract/index.js";
import type { AzaionApi } from "../api/types.js";
import {
  EMPTY_BUFFERS,
  LIMITS,
  applyHostEvent,
  applyJobEvent,
  applyJobList,
  connectJobs,
  jobsNewestFirst,
  selectProgress,
  useJobsStore,
  type JobsState,
} from "./jobs.js";

function job(id: string, over: Partial<JobInfo> = {}): JobInfo {
  return {
    id,
    spec: { kind: "queue" },
    argv: ["queue", "run"],
    state: "running",
    startedAt: "2026-01-01T00:00:00.000Z",
    logTail: [],
    ...over,
  };
}

const empty: JobsState = { jobs: {}, buffers: {}, loaded: false };

describe("applyJobEvent", () => {
  it("keeps the log bounded to its last lines", () => {
    let b = EMPTY_BUFFERS;
    for (let i = 0; i < LIMITS.log + 25; i++)
      b = applyJobEvent(b, { type: "log", stream: "stdout", line: `l${i}` });
    expect(b.log).toHaveLength(LIMITS.log);
    expect(b.log[0]).toBe("l25");
    expect(b.log.at(-1)).toBe(`l${LIMITS.log + 24}`);
  });

  it("thins batch points when full but keeps the whole span", () => {
    let b = EMPTY_BUFFERS;
    const n = LIMITS.batchPoints * 3;
    for (let i = 1; i <= n; i++) {
      b = applyJobEvent(b, {
        type: "train.batch",
        epoch: 1,
        batch: i,
        batchesPerEpoch: n,
        meanLoss: [1, 2, 3],
      });
    }
    expect(b.batches.length).toBeLessThanOrEqual(LIMITS.batchPoints);
    expect(b.batches.at(-1)?.x).toBe(1);
    expect(b.batches[0]!.x).toBeLessThan(0.05);
    expect(b.lastBatch).toEqual({ epoch: 1, batch: n, batchesPerEpoch: n });
  });

  it("places a batch at its fraction of the (1-based) epoch", () => {
    const b = applyJobEvent(EMPTY_BUFFERS, {
      type: "train.batch",
      epoch: 2,
      batch: 3,
      batchesPerEpoch: 4,
      meanLoss: [1, 2, 3],
    });
    expect(b.batches).toEqual([{ x: 1.75, box: 1, cls: 2, dfl: 3 }]);
  });

  it("orders epoch rows by epoch, replacing a repeated epoch", () => {
    let b = EMPTY_BUFFERS;
    b = applyJobEvent(b, { type: "train.epoch", epoch: 2, row: { epoch: 2, "metrics/mAP50(B)": 0.2 } });
    b = applyJobEvent(b, { type: "train.epoch", epoch: 1, row: { epoch: 1, "metrics/mAP50(B)": 0.1 } });
    b = applyJobEvent(b, { type: "train.epoch", epoch: 2, row: { epoch: 2, "metrics/mAP50(B)": 0.3 } });
    expect(b.epochs.map((r) => [r["epoch"], r["metrics/mAP50(B)"]])).toEqual([
      [1, 0.1],
      [2, 0.3],
    ]);
  });

  it("a resumed run's start drops curves past its checkpoint", () => {
    let b = EMPTY_BUFFERS;
    for (let e = 0; e < 4; e++)
      b = applyJobEvent(b, { type: "train.epoch", epoch: e + 1, row: { epoch: e + 1 } });
    const start: JobEvent = {
      type: "train.start",
      saveDir: "/r",
      startEpoch: 2,
      epochs: 6,
      batchesPerEpoch: 3,
    };
    b = applyJobEvent(b, start);
    expect(b.epochs.map((r) => r["epoch"])).toEqual([1, 2]);
    expect(b.trainStart).toEqual(start);
  });

  it("keeps the newest samples and merges result paths", () => {
    let b = EMPTY_BUFFERS;
    for (let e = 0; e < LIMITS.samples + 3; e++)
      b = applyJobEvent(b, { type: "train.samples", epoch: e, files: [`s${e}.jpg`] });
    expect(b.samples).toHaveLength(LIMITS.samples);
    expect(b.samples.at(-1)?.epoch).toBe(LIMITS.samples + 2);
    b = applyJobEvent(b, { type: "result", paths: { run: "/r" } });
    b = applyJobEvent(b, { type: "result", paths: { best: "/r/best" } });
    expect(b.result).toEqual({ run: "/r", best: "/r/best" });
  });
});

describe("host events and the list", () => {
  it("job.state replaces the record; the list does not overwrite a newer push", () => {
    let s = applyHostEvent(empty, { event: "job.state", job: job("a", { state: "crashed" }) });
    s = applyJobList(s, [job("a", { state: "running" }), job("b", { logTail: ["x"] })], new Set(["a"]));
    expect(s.jobs["a"]?.state).toBe("crashed");
    expect(s.jobs["b"]?.state).toBe("running");
    expect(s.buffers["b"]?.log).toEqual(["x"]);
    expect(s.loaded).toBe(true);
  });

  it("progress comes from events, else from the record", () => {
    const p = { label: "epoch", done: 1, total: 4, unit: "it", rate: 2 };
    let s = applyHostEvent(empty, { event: "job.state", job: job("a", { progress: { ...p, done: 0 } }) });
    expect(selectProgress("a")(s)?.done).toBe(0);
    s = applyHostEvent(s, { event: "job.event", jobId: "a", data: { type: "progress", progress: p } });
    expect(selectProgress("a")(s)?.done).toBe(1);
  });

  it("sorts jobs newest first and by kind", () => {
    const jobs = {
      a: job("a", { startedAt: "2026-01-01T00:00:01.000Z" }),
      b: job("b", { startedAt: "2026-01-01T00:00:03.000Z", spec: { kind: "augment", watch: true } }),
      c: job("c", { startedAt: "2026-01-01T00:00:02.000Z" }),
    };
    expect(jobsNewestFirst(jobs).map((j) => j.id)).toEqual(["b", "c", "a"]);
    expect(jobsNewestFirst(jobs, "queue").map((j) => j.id)).toEqual(["c", "a"]);
  });
});

describe("connectJobs", () => {
  it("subscribes, lists, follows pushes and lists again after a reconnect", async () => {
    let push: (e: HostEvent) => void = () => undefined;
    let conn: (s: "connected" | "reconnecting") => void = () => undefined;
    let lists = 0;
    const api = {
      host: "browser",
      call: (method: string) => {
        if (method !== "jobs.list") throw new Error(method);
        lists++;
        return Promise.resolve([job(`listed${lists}`)]);
      },
      onEvent: (l: (e: HostEvent) => void) => ((push = l), () => (push = () => undefined)),
      onConnection: (l: typeof conn) => ((conn = l), () => undefined),
      mediaUrl: () => "",
      upload: () => Promise.resolve(""),
    } as unknown as AzaionApi;
    const dispose = connectJobs(api);
    expect(connectJobs(api)).toBe(dispose);
    await Promise.resolve();
    await Promise.resolve();
    expect(useJobsStore.getState().jobs["listed1"]).toBeDefined();
    push({ event: "job.state", job: job("pushed") });
    expect(useJobsStore.getState().jobs["pushed"]).toBeDefined();
    conn("reconnecting");
    conn("connected");
    await Promise.resolve();
    await Promise.resolve();
    expect(lists).toBe(2);
    expect(useJobsStore.getState().jobs["listed2"]).toBeDefined();
    dispose();
    push({ event: "job.state", job: job("after") });
    expect(useJobsStore.getState().jobs["after"]).toBeUndefined();
  });
});
