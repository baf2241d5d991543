/**
 * `azaion infer` with TensorRT, on a machine without a GPU or TensorRT (onnxruntime-node has only its
 * CPU provider here): the usage errors, the engine's wrapper written beside it and the clear error
 * when the TensorRT provider cannot start, the FP16 build through a trtexec stand-in into the engine
 * cache, and the plain ONNX model still falling back to the CPU. Running on TensorRT is not tested.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportOnnx } from "../src-workers/export/onnx/export-onnx.js";
import { decodeModel } from "../src-workers/export/onnx/schema.js";
import { loadDetector } from "../src-workers/yolo/predict/load.js";
import { azaion, repoRoot } from "./support/cli.js";

const FIXTURES = join(repoRoot, "tests", "data", "yolo11");
const IMAGE = join(FIXTURES, "val_00003.jpg");
const STUBS = join(repoRoot, "tests", "support", "export-stand-ins");

let dir: string;
let onnx: string;
let metadata: Record<string, string>;
/** A data root of its own, so the engine cache is the test's. */
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-cli-infer-trt-"));
  env = { AZAION_ROOT: join(dir, "root") };
  onnx = join(dir, "m.onnx");
  const det = await loadDetector(join(FIXTURES, "yolo11n-shapes-nc5.pt"), { fuse: true });
  try {
    const exp = exportOnnx(det.model, { imgsz: 160, nms: true, batchMax: 4 });
    await writeFile(onnx, exp.bytes);
    metadata = exp.metadata;
  } finally {
    det.model.dispose();
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What `azaion export --format engine` leaves: m.engine, m.engine.json, m-engine.onnx. */
async function engineExport(sub: string, opts: { sidecar?: boolean } = {}): Promise<string> {
  const d = join(dir, sub);
  await mkdir(d, { recursive: true });
  await writeFile(join(d, "m.engine"), "ENGINEBYTES");
  await writeFile(join(d, "m-engine.onnx"), await readFile(onnx));
  if (opts.sidecar !== false)
    await writeFile(
      join(d, "m.engine.json"),
      JSON.stringify({
        format: "engine",
        file: "m.engine",
        onnx: "m-engine.onnx",
        precision: "fp16",
        metadata,
      }),
    );
  return join(d, "m.engine");
}

describe("azaion infer with a TensorRT engine", () => {
  it("refuses cpu and cuda for an engine, and --half anywhere but tensorrt (exit 2)", async () => {
    const engine = await engineExport("usage");
    for (const device of ["cpu", "cuda:1"]) {
      const r = await azaion(["-q", "infer", engine, IMAGE, "--device", device], { env });
      expect(r.stderr).toMatch(
        new RegExp(`--device ${device}: a TensorRT engine runs on TensorRT only; pass the .onnx`),
      );
      expect(r.code).toBe(2);
    }
    const h = await azaion(["-q", "infer", onnx, IMAGE, "--half", "--device", "cpu"], { env });
    expect(h.stderr).toMatch(/--half builds a TensorRT FP16 engine: it needs --device tensorrt/);
    expect(h.code).toBe(2);
    const e = await azaion(["-q", "infer", engine, IMAGE, "--half"], { env });
    expect(e.stderr).toMatch(/--half is for an \.onnx model/);
    expect(e.code).toBe(2);
  });

  it("names the missing sidecar and the missing source ONNX (exit 1)", async () => {
    const engine = await engineExport("nosidecar", { sidecar: false });
    const r = await azaion(["-q", "infer", engine, IMAGE, "--out", join(dir, "run-nosidecar")], { env });
    expect(r.stderr).toContain(`${engine}.json: the engine's metadata sidecar is missing`);
    expect(r.code).toBe(1);
    const other = await engineExport("noonnx");
    await rm(join(dir, "noonnx", "m-engine.onnx"));
    const o = await azaion(["-q", "infer", other, IMAGE, "--out", join(dir, "run-noonnx")], { env });
    expect(o.stderr).toContain(
      `${join(dir, "noonnx", "m-engine.onnx")}: the ONNX model the engine was built from is missing`,
    );
    expect(o.code).toBe(1);
  });

  it("writes the engine's wrapper beside it, then says the TensorRT provider is not available (exit 1)", async () => {
    const engine = await engineExport("engine");
    const r = await azaion(["-q", "infer", engine, IMAGE, "--out", join(dir, "run-engine")], { env });
    expect(r.stderr).toMatch(
      new RegExp(
        `${engine}: the TensorRT execution provider is not available \\(.+\\)\\. It needs onnxruntime-node's CUDA and TensorRT provider libraries`,
      ),
    );
    expect(r.stderr).toContain(`azaion infer ${join(dir, "engine", "m-engine.onnx")} --device cpu`);
    expect(r.stderr).not.toMatch(/falling back/);
    expect(r.code).toBe(1);
    const w = decodeModel(await readFile(join(dir, "engine", "m.ctx.onnx")));
    expect(w.nodes.map((n) => [n.opType, n.domain, n.attributes.ep_cache_context])).toEqual([
      ["EPContext", "com.microsoft", "m.engine"],
    ]);
    expect(w.metadata).toEqual(metadata);
    expect(w.inputs.map((i) => i.name)).toEqual(["images"]);
    expect(w.outputs.map((i) => i.name)).toEqual(["detections", "num_detections"]);
  });
});

describe("azaion infer --device tensorrt on an ONNX model", () => {
  it("falls back to the CPU with a note, leaving no new cache entry and keeping an earlier one", async () => {
    const out = join(dir, "run-fallback");
    const r = await azaion(["infer", onnx, IMAGE, "--device", "tensorrt", "--out", out], { env });
    expect(r.stderr).toMatch(
      /opening on TensorRT: a first run builds the engine .* caches it in .*cache\/tensorrt\/m-/,
    );
    expect(r.stderr).toMatch(/the tensorrt execution provider is not available \(.+\); falling back to cuda/);
    expect(r.stderr).toMatch(/on cpu/);
    expect(r.code).toBe(0);
    expect((await readFile(join(out, "detections.jsonl"), "utf8")).trim().split("\n")).toHaveLength(1);
    expect(await readdir(join(dir, "root", "cache", "tensorrt"))).toEqual([]);
    // A cache entry from an earlier run on a GPU: without the provider, the model runs on the CPU
    // and the entry stays for the next run where TensorRT is there.
    const entry = /caches it in (\S+)/.exec(r.stderr)![1]!;
    await mkdir(entry, { recursive: true });
    await writeFile(join(entry, "model_ctx.onnx"), await readFile(join(dir, "engine", "m.ctx.onnx")));
    await writeFile(join(entry, "m.engine"), "ENGINEBYTES");
    const c = await azaion(["infer", onnx, IMAGE, "--device", "tensorrt", "--out", join(dir, "run-cached")], {
      env,
    });
    expect(c.stderr).toMatch(/the tensorrt execution provider is not available \(.+\); falling back to cuda/);
    expect(c.stderr).not.toMatch(/builds the engine/);
    expect(c.code).toBe(0);
    expect((await readdir(entry)).sort()).toEqual(["entry.json", "m.engine", "model_ctx.onnx"]);
    const n = await azaion(
      [
        "-q",
        "infer",
        onnx,
        IMAGE,
        "--device",
        "tensorrt",
        "--no-trt-cache",
        "--out",
        join(dir, "run-nocache"),
      ],
      {
        env,
      },
    );
    expect(n.stderr).not.toMatch(/caches it/);
    expect(n.code).toBe(0);
  });

  it("--half: builds an FP16 engine with trtexec into the cache, then needs the TensorRT provider (exit 1)", async () => {
    const argvFile = join(dir, "trtexec-argv.txt");
    const stub = { ...env, TRTEXEC: join(STUBS, "trtexec"), STUB_TRTEXEC_ARGV: argvFile };
    const r = await azaion(
      ["infer", onnx, IMAGE, "--device", "tensorrt", "--half", "--out", join(dir, "run-half")],
      {
        env: stub,
      },
    );
    expect(r.stderr).toMatch(
      /building a TensorRT FP16 engine with trtexec \(batch 1-4, 160 px; this takes minutes\)/,
    );
    expect(r.stderr).toMatch(/the TensorRT execution provider is not available/);
    expect(r.code).toBe(1);
    const entry = (await readdir(join(dir, "root", "cache", "tensorrt"))).find((n) => n.includes("-fp16-"));
    expect(entry).toMatch(/^m-[0-9a-f]{16}-fp16-dev0-[0-9a-f]{8}$/);
    const e = join(dir, "root", "cache", "tensorrt", entry!);
    expect((await readdir(e)).sort()).toEqual(["entry.json", "model.ctx.onnx", "model.engine"]);
    expect(await readFile(join(e, "model.engine"), "utf8")).toBe("ENGINEBYTES");
    const argv = (await readFile(argvFile, "utf8")).trim().split("\n");
    expect(argv[0]).toBe(`--onnx=${onnx}`);
    expect(argv[1]).toMatch(new RegExp(`^--saveEngine=${e}/model\\.engine\\.partial-\\d+$`));
    expect(argv.slice(2)).toEqual([
      "--minShapes=images:1x3x160x160",
      "--optShapes=images:4x3x160x160",
      "--maxShapes=images:4x3x160x160",
      "--fp16",
      "--skipInference",
    ]);
    expect(decodeModel(await readFile(join(e, "model.ctx.onnx"))).metadata).toEqual(metadata);
    // The second run takes the engine from the cache: trtexec does not run again.
    await rm(argvFile);
    const again = await azaion(
      ["infer", onnx, IMAGE, "--device", "tensorrt", "--half", "--out", join(dir, "run-half2")],
      {
        env: stub,
      },
    );
    expect(again.stderr).toContain(`TensorRT FP16 engine from the cache: ${e}/model.engine`);
    expect(existsSync(argvFile)).toBe(false);
    expect(again.code).toBe(1);
  });

  it("--half without trtexec says what to install", async () => {
    const r = await azaion(
      ["-q", "infer", onnx, IMAGE, "--device", "tensorrt", "--half", "--out", join(dir, "run-notrt")],
      { env: { ...env, AZAION_ROOT: join(dir, "root2"), TRTEXEC: join(dir, "no-trtexec") } },
    );
    expect(r.stderr).toMatch(/TRTEXEC=.*no-trtexec does not exist.*apt-get install tensorrt/);
    expect(r.code).toBe(1);
  });
});
