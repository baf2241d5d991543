/** Stochastic gradient descent with momentum, dampening, weight decay and Nesterov (torch.optim.SGD). */
import { nativeTorch, type NativeTensor } from "../native.js";
import type { Tensor } from "../tensor.js";
import { checkNonNegative, hasGrad, Optimizer, type ParamGroup, type ParamGroupInput } from "./optimizer.js";

export interface SgdGroup extends ParamGroup {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export type SgdOptions = Partial<Omit<SgdGroup, "params">>;

export class SGD extends Optimizer<SgdGroup> {
  protected readonly stateNames = ["momentumBuffer"] as const;

  /** params: tensors, or groups ({ params, lr?, momentum?, ... }); options are the defaults of every group. */
  constructor(params: readonly Tensor[] | readonly ParamGroupInput<SgdGroup>[], options: SgdOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-3,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected validate(g: Omit<SgdGroup, "params">): void {
    checkNonNegative("SGD", "lr", g.lr);
    checkNonNegative("SGD", "momentum", g.momentum);
    checkNonNegative("SGD", "weightDecay", g.weightDecay);
    if (typeof g.dampening !== "number" || !Number.isFinite(g.dampening))
      throw new RangeError(`SGD: invalid dampening ${String(g.dampening)}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0))
      throw new RangeError("SGD: Nesterov momentum requires a momentum and zero dampening");
  }

  step(): void {
    const T = nativeTorch();
    for (const g of this.paramGroups) {
      this.validate(g);
      const params: NativeTensor[] = [];
      const buffers: NativeTensor[] = [];
      const first: boolean[] = [];
      for (const p of g.params) {
        if (!hasGrad(p)) continue;
        params.push(p.native);
        const s = this.stateOf(p);
        s.step++;
        if (g.momentum !== 0) {
          let buf = s.tensors.momentumBuffer;
          first.push(!buf);
          buf ??= s.tensors.momentumBuffer = this.zerosLikeKept(p);
          buffers.push(buf.native);
        } else {
          first.push(false);
        }
      }
      if (params.length === 0) continue;
      T.sgdStep(
        params,
        buffers,
        {
          lr: g.lr,
          momentum: g.momentum,
          dampening: g.dampening,
          weightDecay: g.weightDecay,
          nesterov: g.nesterov,
          maximize: g.maximize,
        },
        first,
      );
    }
  }
}
