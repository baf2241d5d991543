/**
 * Job specs as `azaion` command lines: each kind's argv, and every one of them accepted by the real
 * CLI parser (the commands' own options and arguments), so a job does what the command does.
 */
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../cli/main.js";
import { jobSpecSchema, type JobSpecInput } from "../contract/jobs.js";
import { jobArgv, specPaths } from "./argv.js";

const SPECS: JobSpecInput[] = [
  { kind: "train" },
  {
    kind: "train",
    data: "/d/data.yaml",
    model: "s",
    weights: "/w/yolo11s.pt",
    epochs: 3,
    imgsz: 320,
    batch: -1,
    device: "cuda:1",
    name: "run1",
    workers: 0,
    patience: 5,
    resume: true,
    samples: 2,
  },
  {
    kind: "convert",
    from: "coco",
    input: "/in/a.json",
    out: "/out",
    mapping: "/m.yaml",
    images: "/img",
    mode: "Wint",
    force: true,
  },
  { kind: "convert", from: "yolo", to: "coco", input: "/in", out: "/out" },
  { kind: "export", weights: "/r/best.safetensors" },
  {
    kind: "export",
    weights: "/r/best.safetensors",
    format: "engine",
    imgsz: 640,
    batch: 4,
    nms: false,
    precision: "int8",
    data: "/d.yaml",
    out: "/o",
    force: true,
    upload: "m1",
  },
  { kind: "infer", model: "/m.onnx", inputs: ["/v.mp4"] },
  {
    kind: "infer",
    model: "/m.onnx",
    inputs: ["/a", "/b.jpg"],
    stride: 2,
    conf: 0.5,
    device: "cuda",
    saveVideo: false,
    track: false,
    out: "/o",
  },
  { kind: "augment" },
  { kind: "augment", watch: true },
  { kind: "queue" },
];

/** The program with every action replaced: parsing checks options and arguments, nothing runs. */
function dryProgram(): { program: Command; ran: string[] } {
  const program = buildProgram();
  const ran: string[] = [];
  const stub = (c: Command, path: string) => {
    c.action(() => void ran.push(path));
    for (const sub of c.commands) stub(sub, `${path} ${sub.name()}`);
  };
  for (const c of program.commands) stub(c, c.name());
  return { program, ran };
}

describe("job argv", () => {
  it("writes the options of each spec as its command takes them", () => {
    const argv = (s: JobSpecInput) => jobArgv(jobSpecSchema.parse(s), { root: "/r" });
    expect(argv({ kind: "train" })).toEqual([
      ...["--root", "/r", "train", "--model", "n", "--epochs", "100", "--imgsz", "640", "--batch", "16"],
      ...["--device", "cpu", "--name", "train", "--samples", "4"],
    ]);
    expect(argv(SPECS[1]!)).toContain("--resume");
    expect(argv({ kind: "export", weights: "/w" })).not.toContain("--raw");
    expect(argv({ kind: "export", weights: "/w", nms: false })).toContain("--raw");
    expect(argv({ kind: "infer", model: "/m", inputs: ["/v"] })).toEqual([
      ...[
        "--root",
        "/r",
        "infer",
        "/m",
        "/v",
        "--stride",
        "4",
        "--conf",
        "0.25",
        "--device",
        "cpu",
        "--save-video",
      ],
    ]);
    expect(argv({ kind: "queue" }).slice(2)).toEqual(["queue", "consume"]);
    expect(jobArgv(jobSpecSchema.parse({ kind: "augment" }), { root: "/r", configFile: "/c.yaml" })).toEqual([
      ...["--root", "/r", "--config", "/c.yaml", "augment", "--once"],
    ]);
  });

  it.each(SPECS.map((s) => [s.kind, s] as const))(
    "the CLI parser accepts the %s argv",
    async (kind, spec) => {
      const { program, ran } = dryProgram();
      await program.parseAsync(jobArgv(jobSpecSchema.parse(spec), { root: "/r" }), { from: "user" });
      expect(ran).toEqual([kind === "queue" ? "queue consume" : kind]);
    },
  );

  it("names the paths a spec reads and writes, relative ones under the root", () => {
    const paths = specPaths(
      jobSpecSchema.parse({ kind: "infer", model: "m.onnx", inputs: ["/v.mp4"], out: "o" }),
      "/r",
    );
    expect(paths).toEqual(["/r/m.onnx", "/r/o", "/v.mp4"]);
  });
});
