/**
 * `azaion export` as a user runs it (the built binary): ONNX with NMS and raw on the Ultralytics-trained
 * shapes model, the clear errors where TensorRT and rknn-toolkit2 are missing (as here), the exact
 * trtexec command line, the generated Python scripts (they compile), calibration data, and the engine
 * and RKNN paths end to end against stand-ins of the converters: a `trtexec` shell script and an
 * `rknn.api` Python module that record what they are asked and write a file. The stand-ins check our
 * side (command line, script, sidecar, renames); the real converters were not available to run.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  calibrationFiles,
  writeCalibrationList,
  writeCalibrationTensor,
} from "../src-workers/export/calibration.js";
import { decodeModel } from "../src-workers/export/onnx/schema.js";
import { rknnScript } from "../src-workers/export/rknn.js";
import { findTrtexec, trtexecArgv } from "../src-workers/export/tensorrt.js";
import { trtCalibratorScript } from "../src-workers/export/trt-calibrator-script.js";
import { ToolMissingError } from "../src-workers/export/tools.js";
import { azaion, repoRoot } from "./support/cli.js";

const PT = join(repoRoot, "tests", "data", "yolo11", "yolo11n-shapes-nc5.pt");
const IMAGE = join(repoRoot, "tests", "data", "yolo11", "val_00003.jpg");
const PY = "/usr/bin/python3";
/** Stand-ins of trtexec, tensorrt, cuda-python and rknn.api (see their README). */
const STUBS = join(repoRoot, "tests", "support", "export-stand-ins");
const hasTrtexec = (() => {
  try {
    findTrtexec();
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
let images: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-cli-export-"));
  images = join(dir, "calib", "images");
  await mkdir(images, { recursive: true });
  // Three calibration images of different shapes, and one that does not decode.
  await sharp(IMAGE).toFile(join(images, "a.jpg"));
  await sharp(IMAGE).resize(200, 90, { fit: "fill" }).png().toFile(join(images, "b.png"));
  await sharp(IMAGE).rotate(90).toFile(join(images, "c.jpg"));
  await writeFile(join(images, "d.jpg"), "not a jpeg");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("azaion export --format onnx", () => {
  it("writes an ONNX model with NMS inside that runs at batch 1 and 8, metadata inside", async () => {
    const out = join(dir, "nms.onnx");
    const r = await azaion(["export", PT, "--imgsz", "160", "--max-det", "30", "--out", out]);
    expect(r.stderr + r.stdout).toMatch(/onnx runtime: loads and runs/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`export: ${out}`);
    const m = decodeModel(readFileSync(out));
    expect(m.inputs[0]).toEqual({ name: "images", elemType: 1, shape: ["batch", 3, 160, 160] });
    expect(m.outputs).toEqual([
      { name: "detections", elemType: 1, shape: ["batch", 30, 6] },
      { name: "num_detections", elemType: 7, shape: ["batch"] },
    ]);
    const names = JSON.parse(m.metadata.names!) as Record<string, string>;
    expect(Object.keys(names)).toEqual(["0", "1", "2", "3", "4"]);
    expect(names["0"]).toBe("rect_filled");
    expect(m.metadata.batch_max).toBe("8");
    expect(m.metadata.source).toBe(PT);
    const s = await ort.InferenceSession.create(out, { intraOpNumThreads: 1 });
    for (const b of [1, 8]) {
      const x = new ort.Tensor("float32", new Float32Array(b * 3 * 160 * 160).fill(0.45), [b, 3, 160, 160]);
      const y = await s.run({ images: x });
      expect(y.detections!.dims).toEqual([b, 30, 6]);
      expect(y.num_detections!.dims).toEqual([b]);
    }
    await s.release();
  });

  it("--raw writes output0 (batch, 4+nc, anchors); refuses to overwrite without --force", async () => {
    const out = join(dir, "raw.onnx");
    const r = await azaion(["-q", "export", PT, "--imgsz", "160", "--raw", "--out", out]);
    expect(r.code).toBe(0);
    expect(decodeModel(readFileSync(out)).outputs).toEqual([
      { name: "output0", elemType: 1, shape: ["batch", 9, 525] },
    ]);
    const again = await azaion(["-q", "export", PT, "--imgsz", "160", "--raw", "--out", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/raw\.onnx already exists; pass --force/);
    expect(
      (await azaion(["-q", "export", PT, "--imgsz", "160", "--raw", "--out", out, "--force"])).code,
    ).toBe(0);
  });

  it("rejects bad options with exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--imgsz", "100"], /multiple of 32/],
      [["--nms", "--raw"], /one of --nms and --raw/],
      [["--format", "tflite"], /expected one of onnx, engine, rknn/],
      [["--conf", "1.5"], /--conf 1\.5/],
      [["--format", "engine", "--precision", "int8"], /INT8 needs calibration images: give --data/],
      [["--format", "rknn"], /rknn INT8 needs calibration images/],
      [["--format", "rknn", "--nms", "--precision", "fp16"], /RKNN models keep NMS in our post-processing/],
      [["--format", "rknn", "--batch", "4", "--precision", "fp16"], /one image at a time/],
      [["--out", join(dir, "x.engine")], /must end in \.onnx/],
    ];
    for (const [args, msg] of cases) {
      const r = await azaion(["export", PT, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(msg);
    }
  });
});

describe("TensorRT engine", () => {
  it("builds the exact trtexec command line (FP16 and INT8)", () => {
    const plan = {
      onnx: "/m/best-engine.onnx",
      engine: "/m/best.engine",
      input: "images",
      imgsz: 1280,
      batchMin: 1,
      batchOpt: 8,
      batchMax: 8,
    };
    expect(trtexecArgv("/usr/src/tensorrt/bin/trtexec", { ...plan, precision: "fp16" })).toEqual([
      "/usr/src/tensorrt/bin/trtexec",
      "--onnx=/m/best-engine.onnx",
      "--saveEngine=/m/best.engine",
      "--minShapes=images:1x3x1280x1280",
      "--optShapes=images:8x3x1280x1280",
      "--maxShapes=images:8x3x1280x1280",
      "--fp16",
      "--skipInference",
    ]);
    expect(
      trtexecArgv("trtexec", {
        ...plan,
        precision: "int8",
        calibrationCache: "/tmp/c.cache",
        workspaceMiB: 4096,
      }),
    ).toEqual([
      "trtexec",
      "--onnx=/m/best-engine.onnx",
      "--saveEngine=/m/best.engine",
      "--minShapes=images:1x3x1280x1280",
      "--optShapes=images:8x3x1280x1280",
      "--maxShapes=images:8x3x1280x1280",
      "--fp16",
      "--int8",
      "--calib=/tmp/c.cache",
      "--memPoolSize=workspace:4096M",
      "--skipInference",
    ]);
    expect(() => trtexecArgv("trtexec", { ...plan, precision: "int8" })).toThrow(/calibration cache/);
  });

  it("says what to install when TensorRT is missing", () => {
    expect(() => findTrtexec({ PATH: join(dir, "empty") })).toThrow(ToolMissingError);
    expect(() => findTrtexec({ PATH: join(dir, "empty") })).toThrow(
      /trtexec was not found.*apt-get install tensorrt/,
    );
    expect(() => findTrtexec({ TRTEXEC: "/nowhere/trtexec" })).toThrow(
      /TRTEXEC=\/nowhere\/trtexec does not exist/,
    );
  });

  it.skipIf(hasTrtexec)(
    "azaion export --format engine fails clearly here, before writing anything",
    async () => {
      const out = join(dir, "noengine", "m.engine");
      const r = await azaion(["export", PT, "--format", "engine", "--imgsz", "160", "--out", out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/TensorRT is not installed: trtexec was not found/);
      expect(existsSync(join(dir, "noengine"))).toBe(false);
    },
  );

  it("runs trtexec (a stand-in here) and writes the plain engine and its metadata JSON", async () => {
    const argvFile = join(dir, "trtexec-argv.txt");
    const out = join(dir, "eng", "m.engine");
    const r = await azaion(
      ["-q", "export", PT, "--format", "engine", "--imgsz", "160", "--batch", "4", "--out", out],
      { env: { TRTEXEC: join(STUBS, "trtexec"), STUB_TRTEXEC_ARGV: argvFile } },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(await readFile(out, "utf8")).toBe("ENGINEBYTES"); // nothing in front of the engine
    const argv = (await readFile(argvFile, "utf8")).trim().split("\n");
    expect(argv[0]).toBe(`--onnx=${join(dir, "eng", "m-engine.onnx")}`);
    expect(argv.slice(2)).toEqual([
      "--minShapes=images:1x3x160x160",
      "--optShapes=images:4x3x160x160",
      "--maxShapes=images:4x3x160x160",
      "--fp16",
      "--skipInference",
    ]);
    const side = JSON.parse(await readFile(`${out}.json`, "utf8")) as Record<string, unknown>;
    expect(side).toMatchObject({
      format: "engine",
      file: "m.engine",
      onnx: "m-engine.onnx",
      bytes: 11,
      precision: "fp16",
      converter: { tool: "trtexec", tensorrt: "10.3.0", device: "Stand-in GPU" },
    });
    expect((side.metadata as Record<string, string>).batch_max).toBe("4");
    expect((side.commands as string[])[0]).toContain(`--saveEngine=${out}`);
    expect((await readdir(join(dir, "eng"))).sort()).toEqual(["m-engine.onnx", "m.engine", "m.engine.json"]);
  });

  it("INT8: calibrates with the generated script (stand-in TensorRT) and passes the cache to trtexec", async () => {
    const argvFile = join(dir, "trtexec-argv-int8.txt");
    const log = join(dir, "trt-log.json");
    const out = join(dir, "eng8", "m.engine");
    const r = await azaion(
      [
        "-q",
        "export",
        PT,
        "--format",
        "engine",
        "--precision",
        "int8",
        "--data",
        images,
        "--imgsz",
        "96",
        "--batch",
        "2",
        "--python",
        PY,
        "--out",
        out,
      ],
      {
        env: {
          TRTEXEC: join(STUBS, "trtexec"),
          STUB_TRTEXEC_ARGV: argvFile,
          STUB_TRT_LOG: log,
          PYTHONPATH: join(STUBS, "python"),
          PYTHONDONTWRITEBYTECODE: "1",
        },
      },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const trt = JSON.parse(await readFile(log, "utf8")) as {
      profile: unknown[];
      flags: string[];
      batches: { min: number; max: number; means: number[] }[];
    };
    expect(trt.profile).toEqual(["images", [1, 3, 96, 96], [2, 3, 96, 96], [2, 3, 96, 96]]);
    expect(trt.flags).toEqual(["INT8", "FP16"]);
    // 3 good images in batches of 2: the second batch wraps around to the first image.
    expect(trt.batches).toHaveLength(2);
    expect(trt.batches[1]!.means[1]).toBeCloseTo(trt.batches[0]!.means[0]!, 6);
    for (const b of trt.batches) {
      expect(b.min).toBeGreaterThanOrEqual(0);
      expect(b.max).toBeLessThanOrEqual(1);
      expect(b.max).toBeGreaterThan(0.2); // real pixels, divided by 255
    }
    const argv = (await readFile(argvFile, "utf8")).trim().split("\n");
    expect(argv.slice(-4, -2)).toEqual(["--fp16", "--int8"]);
    expect(argv[argv.length - 2]).toMatch(/^--calib=.*calibration\.cache$/);
    const side = JSON.parse(await readFile(`${out}.json`, "utf8")) as {
      precision: string;
      calibration: { images: number; skipped: string[] };
      commands: string[];
    };
    expect(side.precision).toBe("int8");
    expect(side.calibration.images).toBe(3);
    expect(side.calibration.skipped).toEqual([expect.stringMatching(/d\.jpg/)]);
    expect(side.commands[0]).toMatch(/calibrate\.py$/);
  });

  it("a failing trtexec leaves no files and shows its output", async () => {
    const bad = join(dir, "bad-trtexec");
    await writeFile(bad, "#!/bin/sh\necho '[E] Error[4]: unsupported operator'\nexit 3\n");
    await chmod(bad, 0o755);
    const r = await azaion(
      ["-q", "export", PT, "--format", "engine", "--imgsz", "160", "--out", join(dir, "engbad", "m.engine")],
      {
        env: { TRTEXEC: bad },
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed \(exit code 3\).*\n.*unsupported operator/);
    expect(await readdir(join(dir, "engbad"))).toEqual([]);
  });

  it("generates an INT8 calibrator script that compiles", async () => {
    const py = join(dir, "calibrate.py");
    await writeFile(
      py,
      trtCalibratorScript({
        onnx: "/m/a b.onnx",
        tensor: "/m/calib.u8",
        count: 3,
        imgsz: 160,
        input: "images",
        batch: 8,
        batchMin: 1,
        cache: "/m/'x'.cache",
      }),
    );
    execFileSync(PY, ["-m", "py_compile", py]);
    expect(await readFile(py, "utf8")).toContain("IInt8EntropyCalibrator2");
  });
});

describe("RKNN", () => {
  it("generates a conversion script that compiles, with the calibration list", async () => {
    const py = join(dir, "convert_rknn.py");
    await writeFile(
      py,
      rknnScript({
        onnx: '/m/"q".onnx',
        output: "/m/out.rknn",
        input: "images",
        imgsz: 640,
        platform: "rk3588",
        quantize: true,
        dataset: "/m/dataset.txt",
      }),
    );
    execFileSync(PY, ["-m", "py_compile", py]);
    const cfg = execFileSync(
      PY,
      [
        "-c",
        `import ast,sys;t=open(sys.argv[1]).read();print(t.split("CFG = json.loads(")[1].split(")\\n")[0])`,
        py,
      ],
      {
        encoding: "utf8",
      },
    );
    expect(JSON.parse(JSON.parse(cfg.trim()) as string)).toMatchObject({
      onnx: '/m/"q".onnx',
      platform: "rk3588",
    });
  });

  it("says what to install when rknn-toolkit2 is missing", async () => {
    const r = await azaion([
      "export",
      PT,
      "--format",
      "rknn",
      "--imgsz",
      "160",
      "--data",
      images,
      "--python",
      PY,
      "--out",
      join(dir, "nork", "m.rknn"),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /rknn-toolkit2 is not installed for \/usr\/bin\/python3.*pip install rknn-toolkit2/,
    );
    expect(existsSync(join(dir, "nork"))).toBe(false);
  });

  it("runs the generated script (against a stand-in rknn.api) with INT8 calibration from --data", async () => {
    const log = join(dir, "rknn-log.json");
    const out = join(dir, "rk", "m.rknn");
    const r = await azaion(
      [
        "-q",
        "export",
        PT,
        "--format",
        "rknn",
        "--imgsz",
        "160",
        "--data",
        images,
        "--python",
        PY,
        "--out",
        out,
      ],
      { env: { PYTHONPATH: join(STUBS, "python"), STUB_RKNN_LOG: log, PYTHONDONTWRITEBYTECODE: "1" } },
    );
    expect(r.code).toBe(0);
    expect(await readFile(out, "utf8")).toBe("RKNN");
    const calls = JSON.parse(await readFile(log, "utf8")) as Record<string, Record<string, unknown>> & {
      dataset_lines: string[];
    };
    expect(calls.config).toEqual({
      mean_values: [[0, 0, 0]],
      std_values: [[255, 255, 255]],
      target_platform: "rk3588",
    });
    expect(calls.load_onnx).toEqual({
      model: join(dir, "rk", "m-rknn.onnx"),
      inputs: ["images"],
      input_size_list: [[1, 3, 160, 160]],
    });
    expect(calls.build!.do_quantization).toBe(true);
    expect(calls.dataset_lines).toHaveLength(3); // d.jpg is not an image: left out, and recorded
    const side = JSON.parse(await readFile(`${out}.json`, "utf8")) as {
      precision: string;
      metadata: Record<string, string>;
      calibration: { images: number; skipped: string[] };
      converter: Record<string, string>;
    };
    expect(side.precision).toBe("int8");
    expect(side.metadata.output).toBe("raw");
    expect(side.calibration.images).toBe(3);
    expect(side.calibration.skipped[0]).toMatch(/d\.jpg/);
    expect(side.converter).toMatchObject({
      tool: "rknn-toolkit2",
      platform: "rk3588",
      version: "0.0-stand-in",
    });
    expect(decodeModel(readFileSync(join(dir, "rk", "m-rknn.onnx"))).outputs[0]!.name).toBe("output0");
  });
});

describe("calibration images", () => {
  it("draws images evenly from a folder, letterboxes them, writes dataset.txt and a uint8 tensor", async () => {
    const two = await calibrationFiles({ data: join(dir, "calib"), count: 2 });
    expect(two.files.map((f) => f.split("/").pop())).toEqual(["a.jpg", "b.png"]);
    expect(two.leftOut).toEqual([expect.stringMatching(/d\.jpg/)]);
    const three = await calibrationFiles({ data: join(dir, "calib"), count: 64 });
    // A file that decodes no image is skipped by the writers too (here given on purpose).
    const all = [...three.files, join(images, "d.jpg")];

    const listDir = join(dir, "list");
    await mkdir(listDir);
    const list = await writeCalibrationList(all, 96, listDir);
    expect(list.written).toBe(3);
    expect(list.skipped.map((s) => s.file.split("/").pop())).toEqual(["d.jpg"]);
    expect((await readFile(list.list, "utf8")).trim().split("\n")).toEqual(list.images);
    // b.png is 200 x 90: letterboxed to 96 x 43 in the middle of grey 114 padding.
    const { data, info } = await sharp(list.images[1]).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([96, 96]);
    expect([...data.subarray(0, 3)]).toEqual([114, 114, 114]);
    expect([...data.subarray((48 * 96 + 48) * 3, (48 * 96 + 48) * 3 + 3)]).not.toEqual([114, 114, 114]);

    const tensor = join(dir, "calib.u8");
    const t = await writeCalibrationTensor(all, 96, tensor);
    expect(t.written).toBe(3);
    expect((await stat(tensor)).size).toBe(3 * 3 * 96 * 96);
    const bytes = await readFile(tensor);
    // Plane layout: image 1's red plane equals the red channel of its PNG above.
    const red = bytes.subarray(3 * 96 * 96, 4 * 96 * 96);
    expect(red[48 * 96 + 48]).toBe(data[(48 * 96 + 48) * 3]);
  });
});
