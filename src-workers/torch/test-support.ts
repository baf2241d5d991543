/**
 * Helpers for the torch tests: the reference cases PyTorch computed (tests/torch/reference/*.json,
 * written by tests/torch/gen_reference.py), comparison with tolerances, and a finite-difference
 * gradient check. Test code only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../core/package-root.js";
import * as torch from "./index.js";
import type { DType, Reduction, Tensor } from "./index.js";

/** A tensor as the generator writes it: non-finite floats as "nan", "inf", "-inf". */
export interface TensorSpec {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: readonly (number | boolean | string)[];
}

/** The arguments of a case: each op reads the keys it needs (see gen_reference.py). */
export interface CaseArgs {
  readonly scalar?: number;
  readonly alpha?: number;
  readonly a?: number;
  readonly b?: number;
  readonly min?: number;
  readonly max?: number;
  readonly dim?: number;
  readonly dims?: number | number[];
  readonly keepdim?: boolean;
  readonly dtype?: DType;
  readonly descending?: boolean;
  readonly stable?: boolean;
  readonly k?: number;
  readonly largest?: boolean;
  readonly unbiased?: boolean;
  readonly p?: number;
  readonly value?: number | boolean;
  readonly nulls?: number[];
  readonly nidx?: number;
  readonly accumulate?: boolean;
  readonly expandTo?: number[];
  readonly start?: number;
  readonly end?: number;
  readonly step?: number;
  readonly steps?: number;
  readonly index?: number;
  readonly numClasses?: number;
  readonly shape?: number[];
  readonly dim0?: number;
  readonly dim1?: number;
  readonly repeats?: number[];
  readonly startDim?: number;
  readonly endDim?: number;
  readonly size?: number | number[];
  readonly sections?: number[];
  readonly chunks?: number;
  readonly indexing?: "ij" | "xy";
  readonly stride?: number | number[];
  readonly padding?: number | number[];
  readonly dilation?: number | number[];
  readonly groups?: number;
  readonly training?: boolean;
  readonly momentum?: number;
  readonly eps?: number;
  readonly kernel?: number;
  readonly ceilMode?: boolean;
  readonly scale?: number;
  readonly reduction?: Reduction;
  readonly labelSmoothing?: number;
  readonly ignoreIndex?: number;
  readonly iou?: number;
}

export interface RefCase {
  readonly name: string;
  readonly op: string;
  readonly args: CaseArgs;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** How each op of a group runs on our tensors: inputs in the order of the case, outputs likewise. */
export type OpTable = Record<string, (x: Tensor[], a: CaseArgs) => Tensor | Tensor[]>;

export function loadCases(group: string): RefCase[] {
  const path = join(packageRoot(), "tests", "torch", "reference", `${group}.json`);
  return (JSON.parse(readFileSync(path, "utf8")) as { cases: RefCase[] }).cases;
}

function specNumber(v: number | boolean | string): number {
  if (typeof v === "string") return v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;
  return Number(v);
}

/** The input a case describes, built with torch.tensor(). */
export function fromSpec(s: TensorSpec): Tensor {
  const flat = s.data.map(specNumber);
  return torch.tidy(() => torch.tensor(flat, { dtype: s.dtype }).reshape(...s.shape));
}

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

const TOLERANCE: Partial<Record<DType, Tolerance>> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-10, atol: 1e-12 },
  float16: { rtol: 1e-3, atol: 1e-5 },
  bfloat16: { rtol: 1e-2, atol: 1e-5 },
};

/** Compares values (NaN equals NaN); integers and booleans exactly. Returns the first mismatch or null. */
export function mismatch(
  actual: readonly number[],
  expected: readonly number[],
  tol: Tolerance | undefined,
): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const ok = tol && Number.isFinite(e) ? Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e) : a === e;
    if (!ok) return `element ${i}: got ${a}, expected ${e}`;
  }
  return null;
}

/** Asserts that a tensor has the spec's dtype, shape and values. */
export function expectMatches(t: Tensor, s: TensorSpec, label: string, tol?: Tolerance): void {
  expect(t.dtype, `${label}: dtype`).toBe(s.dtype);
  expect(t.shape, `${label}: shape`).toEqual(s.shape);
  const m = mismatch(t.toNumbers(), s.data.map(specNumber), tol ?? TOLERANCE[s.dtype]);
  expect(m, `${label}: values`).toBeNull();
}

/**
 * One vitest `describe` over a group's reference cases: each case rebuilds its inputs, runs the op
 * of the table inside tidy(), compares every output and checks that no tensor outlives the scope.
 */
export function describeReference(
  group: string,
  ops: OpTable,
  tolerances: Record<string, Tolerance> = {},
): void {
  const cases = loadCases(group);
  describe(`torch ops against PyTorch: ${group}`, () => {
    it("has a case for every op of the table and an op for every case", () => {
      const used = new Set(cases.map((c) => c.op));
      expect([...used].filter((op) => !(op in ops))).toEqual([]);
      expect(Object.keys(ops).filter((op) => !used.has(op))).toEqual([]);
    });
    it.each(cases)("$name", (c) => {
      const before = torch.liveTensors().count;
      torch.tidy(() => {
        const fn = ops[c.op]!;
        const out = fn(c.inputs.map(fromSpec), c.args);
        const outs = Array.isArray(out) ? out : [out];
        expect(outs.length, "number of outputs").toBe(c.outputs.length);
        outs.forEach((o, i) => expectMatches(o, c.outputs[i]!, `${c.name} [${i}]`, tolerances[c.name]));
      });
      expect(torch.liveTensors().count, "tensors left after tidy()").toBe(before);
    });
  });
}

/** The second operand of a binary op: the case's scalar when it has one, else its second input. */
export function operand(x: Tensor[], a: CaseArgs): Tensor | number {
  return a.scalar ?? x[1]!;
}

// ---- gradient check --------------------------------------------------------------------------------

export interface GradcheckOptions {
  readonly eps?: number;
  readonly atol?: number;
  readonly rtol?: number;
}

/**
 * Checks the gradients autograd gives for fn(inputs) against central finite differences in float64.
 * The output is reduced with fixed random weights (sum(out * w)) so that every output element counts.
 * Returns a list of mismatches (empty when all agree). Inputs are float64 leaves; fn may close over
 * other (integer, mask) tensors.
 */
export function gradcheck(
  fn: (xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  o: GradcheckOptions = {},
): string[] {
  const eps = o.eps ?? 1e-6;
  const atol = o.atol ?? 1e-5;
  const rtol = o.rtol ?? 1e-5;
  return torch.tidy(() => {
    for (const x of inputs) expect(x.dtype).toBe("float64");
    const leaves = inputs.map((x) => x.detach().requiresGrad_());
    const out = fn(leaves);
    const w = torch.randn(out.shape, { dtype: "float64", seed: 1234 });
    out.mul(w).sum().backward();
    const analytic = leaves.map((l) => l.grad?.toNumbers() ?? new Array<number>(l.numel).fill(0));
    const loss = (xs: Tensor[]): number => torch.tidy(() => fn(xs).mul(w).sum().item());
    const problems: string[] = [];
    torch.noGrad(() => {
      inputs.forEach((x, i) => {
        const base = x.toNumbers();
        base.forEach((v, k) => {
          const at = (d: number): number =>
            torch.tidy(() => {
              const data = base.slice();
              data[k] = v + d;
              const xs = inputs.map((y, j) => (j === i ? torch.tensor(new Float64Array(data), x.shape) : y));
              return loss(xs);
            });
          const numeric = (at(eps) - at(-eps)) / (2 * eps);
          const a = analytic[i]![k]!;
          if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
            problems.push(`input ${i} element ${k}: autograd ${a}, finite difference ${numeric}`);
          }
        });
      });
    });
    return problems;
  });
}

/** A float64 tensor of seeded normal values (shape, seed), optionally scaled and shifted away from 0. */
export function randn64(shape: readonly number[], seed: number, scale = 1, awayFromZero = 0): Tensor {
  return torch.tidy(() => {
    const r = torch.randn(shape, { dtype: "float64", seed }).mul(scale);
    return awayFromZero > 0 ? r.abs().add(awayFromZero) : r;
  });
}

/** float64 values spaced `gap` apart in a seeded random order: no ties (max, sort, pooling, abs, clamp). */
export function distinct64(shape: readonly number[], seed: number, gap = 0.1): Tensor {
  return torch.tidy(() => {
    const n = shape.reduce((p, q) => p * q, 1);
    return torch
      .randperm(n, { seed })
      .to("float64")
      .sub(n / 2 - 0.25)
      .mul(gap)
      .reshape(...shape);
  });
}
