/** The TensorRT engine cache: keys, entry paths, readiness, staleness and TensorRT's refusals. */
import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataType } from "../export/onnx/schema.js";
import { sha256OfFile } from "../platform/checksums.js";
import {
  cacheEntry,
  cacheKey,
  entryState,
  gpuName,
  isDeserialiseError,
  isStale,
  removeEntry,
  type CacheKeyParts,
} from "./trt-cache.js";
import { wrapperModel } from "./trt-wrapper.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-trt-cache-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const parts: CacheKeyParts = {
  sha256: "0123456789abcdef".repeat(4),
  precision: "fp32",
  deviceId: 0,
  gpu: "NVIDIA H100 80GB HBM3",
  ort: "1.30.0",
};

describe("cache keys", () => {
  it("name the model's hash, the precision and the device, and change with every part", () => {
    const k = cacheKey(parts);
    expect(k).toMatch(/^0123456789abcdef-fp32-dev0-[0-9a-f]{8}$/);
    const others = [
      { sha256: "f".repeat(64) },
      { precision: "fp16" as const },
      { deviceId: 1 },
      { gpu: "NVIDIA GeForce RTX 4090" },
      { gpu: undefined },
      { ort: "1.31.0" },
    ].map((o) => cacheKey({ ...parts, ...o }));
    expect(new Set([k, ...others]).size).toBe(others.length + 1);
    expect(cacheKey({ ...parts })).toBe(k);
  });

  it("give one folder per model and key, with the files inside", () => {
    const e = cacheEntry("/c", "/models/best.onnx", parts);
    expect(e.dir).toBe(`/c/best-${cacheKey(parts)}`);
    expect(e.ctx).toBe(`${e.dir}/model_ctx.onnx`);
    const h = cacheEntry("/c", "/models/best.onnx", { ...parts, precision: "fp16" });
    expect([h.ctx, h.engine]).toEqual([`${h.dir}/model.ctx.onnx`, `${h.dir}/model.engine`]);
  });
});

describe("cache entries", () => {
  it("are missing, broken (the context model's engine is gone) or ready, and are removed whole", async () => {
    const e = cacheEntry(dir, "m.onnx", { ...parts, precision: "fp16" });
    expect(await entryState(e)).toBe("missing");
    await mkdir(e.dir, { recursive: true });
    const io = { name: "images", elemType: DataType.FLOAT, shape: ["batch", 3, 64, 64] };
    await writeFile(
      e.ctx,
      wrapperModel({
        engineFile: "model.engine",
        inputs: [io],
        outputs: [{ ...io, name: "out" }],
        metadata: {},
      }),
    );
    expect(await entryState(e)).toBe("broken");
    await writeFile(e.engine, "ENGINE");
    expect(await entryState(e)).toBe("ready");
    await writeFile(e.ctx, "not a model");
    expect(await entryState(e)).toBe("broken");
    await removeEntry(e);
    expect(existsSync(e.dir)).toBe(false);
  });

  it("are stale when older than any of their sources", async () => {
    const [a, b] = [join(dir, "a"), join(dir, "b")];
    expect(isStale(a, [b])).toBe(true);
    await writeFile(a, "a");
    await writeFile(b, "b");
    await utimes(a, 1000, 1000);
    await utimes(b, 900, 900);
    expect(isStale(a, [b, join(dir, "absent")])).toBe(false);
    await utimes(b, 2000, 2000);
    expect(isStale(a, [b])).toBe(true);
  });
});

describe("machine facts", () => {
  it("hashes files and asks nvidia-smi for the GPU's name (none when it is absent or fails)", async () => {
    await writeFile(join(dir, "h"), "abc");
    expect(await sha256OfFile(join(dir, "h"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(gpuName(0, join(dir, "no-nvidia-smi"))).toBeUndefined();
    const smi = join(dir, "nvidia-smi");
    await writeFile(smi, '#!/bin/sh\n[ "$4" = 1 ] && echo "NVIDIA L4" || exit 6\n');
    await chmod(smi, 0o755);
    expect(gpuName(1, smi)).toBe("NVIDIA L4");
    expect(gpuName(0, smi)).toBeUndefined();
  });

  it("tell TensorRT refusing an engine from a provider that is missing", () => {
    for (const m of [
      "TensorRT EP could not deserialize engine from cache: /c/model.engine",
      "IRuntime::deserializeCudaEngine: Error Code 1: Serialization (Serialization assertion stdVersionRead == kSERIALIZATION_VERSION failed.Version tag does not match.)",
      "TensorRT EP failed to deserialise the engine",
    ])
      expect(isDeserialiseError(m), m).toBe(true);
    for (const m of [
      "OrtSessionOptionsAppendExecutionProvider_TensorRT: Failed to load shared library",
      "CUDA failure 100: no CUDA-capable device is detected",
    ])
      expect(isDeserialiseError(m), m).toBe(false);
  });
});
