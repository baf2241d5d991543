import { describe, expect, it } from "vitest";
import type { JobInfo } from "../../../src-workers/host/contract/index.js";
import { baseName, canRestart, canStop, commandLine, describeSpec } from "./describe.js";

describe("job descriptions", () => {
  it("names files and specs", () => {
    expect(baseName("/a/b/c.mp4")).toBe("c.mp4");
    expect(baseName("C:\\x\\y.onnx")).toBe("y.onnx");
    expect(baseName("/a/b/")).toBe("b");
    expect(
      describeSpec({
        kind: "export",
        weights: "/r/w/best.safetensors",
        format: "onnx",
        imgsz: 640,
        nms: true,
        force: false,
      }),
    ).toBe("Export best.safetensors → onnx");
    expect(describeSpec({ kind: "augment", watch: true })).toBe("Augmentation (watching)");
  });
  it("quotes the command line for a shell", () => {
    const job = { argv: ["train", "--name", "my run", "--data", "/d/it's.yaml"] } as JobInfo;
    expect(commandLine(job)).toBe(`azaion train --name 'my run' --data '/d/it'\\''s.yaml'`);
  });
  it("offers stop while running and restart after", () => {
    const j = (state: JobInfo["state"]) => ({ state }) as JobInfo;
    expect(canStop(j("running"))).toBe(true);
    expect(canRestart(j("running"))).toBe(false);
    expect(canStop(j("crashed"))).toBe(false);
    expect(canRestart(j("crashed"))).toBe(true);
    expect(canRestart(j("stopping"))).toBe(false);
  });
});
