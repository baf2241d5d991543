/**
 * Ultralytics' build_optimizer: three parameter groups in its order — pg0 biases (no decay), pg1
 * weights (decay), pg2 norm-layer weights (no decay) — and the "auto" choice by training length.
 */
import { Adam, AdamW, SGD, type Tensor } from "../../torch/index.js";
import { BatchNorm2d } from "../nn/layers.js";
import type { Module } from "../nn/module.js";
import type { OptimizerName, TrainArgs } from "./defaults.js";
import { pyRoundTo } from "../../core/py-round.js";
import { baseAccumulate } from "./schedule.js";

export type TrainOptimizer = SGD | Adam | AdamW;

export interface ParamGroupsByKind {
  /** Names and tensors in model order. */
  readonly bias: [string, Tensor][];
  readonly decay: [string, Tensor][];
  readonly norm: [string, Tensor][];
}

/** Split parameters as Ultralytics: "bias" in the name, else a norm layer's weight, else decayed. */
export function splitParams(model: Module): ParamGroupsByKind {
  const g: ParamGroupsByKind = { bias: [], decay: [], norm: [] };
  for (const [prefix, m] of model.namedModules()) {
    const own = m.namedParameters().filter(([n]) => !n.includes("."));
    for (const [n, p] of own) {
      const full = prefix === "" ? n : `${prefix}.${n}`;
      if (full.includes("bias")) g.bias.push([full, p]);
      else if (m instanceof BatchNorm2d) g.norm.push([full, p]);
      else g.decay.push([full, p]);
    }
  }
  return g;
}

export interface OptimizerChoice {
  readonly name: Exclude<OptimizerName, "auto">;
  readonly lr: number;
  readonly momentum: number;
  /** warmup_bias_lr to use: 0 when "auto" chose. */
  readonly warmupBiasLr: number;
}

/** "auto": SGD(0.01, 0.9) past 10000 iterations, else AdamW at round(0.002*5/(4+nc), 6), momentum 0.9. */
export function chooseOptimizer(
  a: Pick<TrainArgs, "optimizer" | "lr0" | "momentum" | "warmup_bias_lr">,
  nc: number,
  iterations: number,
): OptimizerChoice {
  if (a.optimizer !== "auto")
    return { name: a.optimizer, lr: a.lr0, momentum: a.momentum, warmupBiasLr: a.warmup_bias_lr };
  const lrFit = pyRoundTo((0.002 * 5) / (4 + nc), 6);
  return iterations > 10000
    ? { name: "SGD", lr: 0.01, momentum: 0.9, warmupBiasLr: 0 }
    : { name: "AdamW", lr: lrFit, momentum: 0.9, warmupBiasLr: 0 };
}

export interface BuiltOptimizer extends OptimizerChoice {
  readonly optimizer: TrainOptimizer;
  /** weight_decay * batch * accumulate / nbs, on pg1 only. */
  readonly weightDecay: number;
  readonly accumulate: number;
  readonly iterations: number;
  readonly groups: ParamGroupsByKind;
}

/** The trainer's optimizer for `model`, trained on `trainSize` images with args `a`. */
export function buildOptimizer(
  model: Module,
  a: Pick<
    TrainArgs,
    "optimizer" | "lr0" | "momentum" | "warmup_bias_lr" | "weight_decay" | "batch" | "nbs" | "epochs"
  >,
  nc: number,
  trainSize: number,
): BuiltOptimizer {
  const accumulate = baseAccumulate(a.nbs, a.batch);
  const weightDecay = (a.weight_decay * a.batch * accumulate) / a.nbs;
  const iterations = Math.ceil(trainSize / Math.max(a.batch, a.nbs)) * a.epochs;
  const choice = chooseOptimizer(a, nc, iterations);
  const groups = splitParams(model);
  const params = (g: [string, Tensor][]) => g.map(([, p]) => p);
  const { lr, momentum } = choice;
  const list = [
    { params: params(groups.bias), weightDecay: 0 },
    { params: params(groups.decay), weightDecay },
    { params: params(groups.norm), weightDecay: 0 },
  ];
  let optimizer: TrainOptimizer;
  if (choice.name === "SGD") optimizer = new SGD(list, { lr, momentum, nesterov: true });
  else {
    const opts = { lr, betas: [momentum, 0.999] as [number, number], weightDecay: 0 };
    optimizer = choice.name === "Adam" ? new Adam(list, opts) : new AdamW(list, opts);
  }
  return { ...choice, optimizer, weightDecay, accumulate, iterations, groups };
}
