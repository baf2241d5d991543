/**
 * Loss scaling for mixed precision, as torch.cuda.amp.GradScaler with its defaults: the loss is multiplied
 * by `scale` before backward so float16 gradients do not underflow; before clipping the gradients are
 * divided back; a step whose gradients hold inf/NaN is skipped and the scale halves; after 2000 good steps
 * in a row it doubles. Disabled (CPU, --amp false), it is the identity and every step is taken.
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";

export interface GradScalerOptions {
  readonly enabled: boolean;
  readonly initScale?: number;
  readonly growthFactor?: number;
  readonly backoffFactor?: number;
  readonly growthInterval?: number;
}

/** What a resume needs (kept in the train state). */
export interface GradScalerState {
  readonly scale: number;
  readonly growthTracker: number;
}

export class GradScaler {
  readonly enabled: boolean;
  private readonly growthFactor: number;
  private readonly backoffFactor: number;
  private readonly growthInterval: number;
  private scaleValue: number;
  private growthTracker = 0;

  constructor(o: GradScalerOptions) {
    this.enabled = o.enabled;
    this.scaleValue = o.initScale ?? 2 ** 16;
    this.growthFactor = o.growthFactor ?? 2;
    this.backoffFactor = o.backoffFactor ?? 0.5;
    this.growthInterval = o.growthInterval ?? 2000;
    if (
      !(this.scaleValue > 0) ||
      !(this.growthFactor > 1) ||
      !(this.backoffFactor > 0 && this.backoffFactor < 1)
    )
      throw new RangeError("GradScaler: need initScale > 0, growthFactor > 1, 0 < backoffFactor < 1");
  }

  get scale(): number {
    return this.enabled ? this.scaleValue : 1;
  }

  /** The loss to call backward() on. */
  scaleLoss(loss: Tensor): Tensor {
    return this.enabled ? loss.mul(this.scaleValue) : loss;
  }

  /** Divide the parameters' gradients by the scale, in place (before clipping, as Ultralytics). */
  unscale(params: readonly Tensor[]): void {
    if (!this.enabled) return;
    const inv = 1 / this.scaleValue;
    torch.tidy(() => {
      for (const p of params) p.grad?.mul_(inv);
    });
  }

  /**
   * After the gradients were checked (`finite`: no inf/NaN): whether to take the optimizer step, and the
   * scale's update (backoff on a bad step, growth after growthInterval good ones).
   */
  update(finite: boolean): boolean {
    if (!this.enabled) return true;
    if (!finite) {
      this.scaleValue *= this.backoffFactor;
      this.growthTracker = 0;
      return false;
    }
    if (++this.growthTracker >= this.growthInterval) {
      this.scaleValue *= this.growthFactor;
      this.growthTracker = 0;
    }
    return true;
  }

  stateDict(): GradScalerState {
    return { scale: this.scaleValue, growthTracker: this.growthTracker };
  }

  loadStateDict(s: GradScalerState): void {
    if (!(s.scale > 0) || !Number.isInteger(s.growthTracker) || s.growthTracker < 0)
      throw new RangeError(`GradScaler: bad state ${JSON.stringify(s)}`);
    this.scaleValue = s.scale;
    this.growthTracker = s.growthTracker;
  }
}

/**
 * One optimizer step as Ultralytics' BaseTrainer.optimizer_step: unscale, clip the gradient norm to
 * `maxNorm`, step unless the gradients are not finite, zero the gradients. Returns whether it stepped.
 */
export function optimizerStep(
  params: readonly Tensor[],
  opt: { step(): void; zeroGrad(): void },
  scaler: GradScaler,
  maxNorm = 10.0,
): boolean {
  scaler.unscale(params);
  const norm = torch.clipGradNorm(params, maxNorm);
  // Without a scaler a non-finite norm still steps (as torch does without AMP): the run shows NaN losses.
  const stepped = scaler.update(Number.isFinite(norm));
  if (stepped) opt.step();
  opt.zeroGrad();
  return stepped;
}
