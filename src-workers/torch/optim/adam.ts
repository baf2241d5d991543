/** Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay), with AMSGrad (torch.optim.Adam/AdamW). */
import { nativeTorch, type NativeTensor } from "../native.js";
import type { Tensor } from "../tensor.js";
import { checkNonNegative, hasGrad, Optimizer, type ParamGroup, type ParamGroupInput } from "./optimizer.js";

export interface AdamGroup extends ParamGroup {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

export type AdamOptions = Partial<Omit<AdamGroup, "params">>;

export class Adam extends Optimizer<AdamGroup> {
  protected readonly stateNames = ["expAvg", "expAvgSq", "maxExpAvgSq"] as const;
  /** AdamW: weight decay scales the weights (p *= 1 - lr * wd) instead of adding wd * p to the gradient. */
  protected readonly decoupled: boolean = false;

  /** params: tensors, or groups ({ params, lr?, betas?, ... }); options are the defaults of every group. */
  constructor(
    params: readonly Tensor[] | readonly ParamGroupInput<AdamGroup>[],
    options: AdamOptions = {},
    defaultWeightDecay = 0,
  ) {
    super(params, {
      lr: options.lr ?? 1e-3,
      betas: options.betas ?? [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? defaultWeightDecay,
      amsgrad: options.amsgrad ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected validate(g: Omit<AdamGroup, "params">): void {
    const name = this.constructor.name;
    checkNonNegative(name, "lr", g.lr);
    checkNonNegative(name, "eps", g.eps);
    checkNonNegative(name, "weightDecay", g.weightDecay);
    const [b1, b2] = g.betas;
    for (const [i, b] of [b1, b2].entries()) {
      if (typeof b !== "number" || !(b >= 0 && b < 1))
        throw new RangeError(`${name}: invalid beta parameter at index ${i}: ${String(b)} (in [0, 1))`);
    }
  }

  step(): void {
    const T = nativeTorch();
    for (const g of this.paramGroups) {
      this.validate(g);
      const params: NativeTensor[] = [];
      const m: NativeTensor[] = [];
      const v: NativeTensor[] = [];
      const vmax: NativeTensor[] = [];
      const steps: number[] = [];
      for (const p of g.params) {
        if (!hasGrad(p)) continue;
        params.push(p.native);
        const s = this.stateOf(p);
        const t = s.tensors;
        t.expAvg ??= this.zerosLikeKept(p);
        t.expAvgSq ??= this.zerosLikeKept(p);
        m.push(t.expAvg.native);
        v.push(t.expAvgSq.native);
        if (g.amsgrad) {
          t.maxExpAvgSq ??= this.zerosLikeKept(p);
          vmax.push(t.maxExpAvgSq.native);
        }
        s.step++;
        steps.push(s.step);
      }
      if (params.length === 0) continue;
      T.adamStep(params, m, v, vmax, steps, {
        lr: g.lr,
        beta1: g.betas[0],
        beta2: g.betas[1],
        eps: g.eps,
        weightDecay: g.weightDecay,
        amsgrad: g.amsgrad,
        decoupled: this.decoupled,
        maximize: g.maximize,
      });
    }
  }
}

/** AdamW: Adam with decoupled weight decay (default 1e-2, as PyTorch). */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: readonly Tensor[] | readonly ParamGroupInput<AdamGroup>[], options: AdamOptions = {}) {
    super(params, options, 1e-2);
  }
}
