/** Reading the Ultralytics reference fixtures of tests/data/yolo11 (raw little-endian arrays). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";

export const FIXTURES = join(import.meta.dirname, "..", "..", "..", "tests", "data", "yolo11");

interface ArraySpec {
  readonly file: string;
  readonly dtype: "float32" | "int64" | "uint8";
  readonly shape: number[];
}

let manifest: Record<string, ArraySpec> | undefined;

export function fixtureJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as T;
}

/** A fixture array as a tensor (float32 unless the manifest says otherwise). */
export function fixtureTensor(name: string): Tensor {
  manifest ??= fixtureJson<{ arrays: Record<string, ArraySpec> }>("manifest.json").arrays;
  const spec = manifest[name];
  if (!spec) throw new Error(`no fixture array ${name}`);
  const buf = readFileSync(join(FIXTURES, spec.file));
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  const data =
    spec.dtype === "float32"
      ? new Float32Array(bytes.buffer)
      : spec.dtype === "int64"
        ? new BigInt64Array(bytes.buffer)
        : bytes;
  return torch.tensor(data, spec.shape);
}

/** Largest absolute difference between two equal-length number lists. */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}
