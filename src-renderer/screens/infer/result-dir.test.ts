import { describe, expect, it } from "vitest";
import type { JobInfo } from "../../../src-workers/host/contract/index.js";
import { inferOutputDir } from "./result-dir.js";

const job = (over: Partial<JobInfo> = {}): JobInfo => ({
  id: "j",
  spec: {
    kind: "infer",
    model: "/m.onnx",
    inputs: ["/v.mp4"],
    stride: 4,
    conf: 0.25,
    device: "cpu",
    saveVideo: true,
    track: true,
  },
  argv: [],
  state: "done",
  startedAt: "",
  logTail: [],
  ...over,
});

describe("inferOutputDir", () => {
  it("prefers the result's dir, then --out, then a result file's folder, then the log", () => {
    expect(inferOutputDir(job(), { dir: "/a" }, [])).toBe("/a");
    const withOut = job({
      spec: {
        kind: "infer",
        model: "/m",
        inputs: ["/v"],
        stride: 4,
        conf: 0.25,
        device: "cpu",
        saveVideo: true,
        track: true,
        out: "/o",
      },
    });
    expect(inferOutputDir(withOut, undefined, [])).toBe("/o");
    expect(inferOutputDir(job(), { detections: "/r/runs/infer/x/detections.jsonl" }, [])).toBe(
      "/r/runs/infer/x",
    );
    expect(
      inferOutputDir(job(), undefined, ["infer: 10 sampled frames ... -> /root/runs/infer/20261203-074406"]),
    ).toBe("/root/runs/infer/20261203-074406");
    expect(inferOutputDir(job(), undefined, ["nothing here"])).toBeUndefined();
  });
});
