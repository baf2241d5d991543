/**
 * Ultralytics' LR schedule and warmup (engine/trainer.py): a per-epoch LambdaLR factor lf(epoch),
 * and per-iteration warmup over the first nw iterations of lr, momentum and gradient accumulation.
 */
import { pyRound } from "../../core/py-round.js";

/** numpy.interp for two points, clamped at the ends. */
export function interp(
  x: number,
  [x0, x1]: readonly [number, number],
  [y0, y1]: readonly [number, number],
): number {
  if (x <= x0) return y0;
  if (x >= x1) return y1;
  return y0 + ((x - x0) * (y1 - y0)) / (x1 - x0);
}

export interface LrLambdaArgs {
  readonly epochs: number;
  readonly lrf: number;
  readonly cos_lr: boolean;
}

/** lf(epoch): linear (1 - e/epochs)(1 - lrf) + lrf, or one_cycle cosine from 1 to lrf. */
export function lrLambda(a: LrLambdaArgs): (epoch: number) => number {
  if (a.cos_lr) return (e) => Math.max((1 - Math.cos((e * Math.PI) / a.epochs)) / 2, 0) * (a.lrf - 1) + 1;
  return (e) => Math.max(1 - e / a.epochs, 0) * (1 - a.lrf) + a.lrf;
}

/** Warmup iterations: max(round(warmup_epochs * nb), 100), or -1 (none) when warmup_epochs is 0. */
export function warmupIterations(warmupEpochs: number, nb: number): number {
  return warmupEpochs > 0 ? Math.max(pyRound(warmupEpochs * nb), 100) : -1;
}

/** accumulate = max(round(nbs / batch), 1): batches per optimizer step after warmup. */
export function baseAccumulate(nbs: number, batch: number): number {
  return Math.max(pyRound(nbs / batch), 1);
}

export interface WarmupArgs {
  readonly nbs: number;
  readonly batch: number;
  readonly warmup_bias_lr: number;
  readonly warmup_momentum: number;
  readonly momentum: number;
}

export interface WarmupValues {
  readonly accumulate: number;
  /** One lr per param group; group 0 holds the biases (Ultralytics' order). */
  readonly lrs: number[];
  /** For optimizers with momentum (SGD); AdamW groups have none. */
  readonly momentum: number;
}

/**
 * Values at iteration ni (ni <= nw): accumulate ramps 1 -> nbs/batch, the bias group's lr from
 * warmup_bias_lr and the others' from 0 to initialLr * lf(epoch), momentum warmup_momentum -> momentum.
 */
export function warmupValues(
  ni: number,
  nw: number,
  a: WarmupArgs,
  initialLrs: readonly number[],
  lfEpoch: number,
): WarmupValues {
  const xi = [0, nw] as const;
  return {
    accumulate: Math.max(1, pyRound(interp(ni, xi, [1, a.nbs / a.batch]))),
    lrs: initialLrs.map((lr0, j) => interp(ni, xi, [j === 0 ? a.warmup_bias_lr : 0, lr0 * lfEpoch])),
    momentum: interp(ni, xi, [a.warmup_momentum, a.momentum]),
  };
}
