/**
 * Ultralytics' ModelEMA: an exponential moving average of a model's state, with a decay that ramps
 * from 0 towards 0.9999 (time constant tau updates) so early averages follow the fast-changing weights.
 */
import * as torch from "../../torch/index.js";
import { DetectionModel } from "./detection-model.js";

export interface ModelEMAOptions {
  readonly decay?: number;
  readonly tau?: number;
  readonly updates?: number;
}

export class ModelEMA {
  readonly ema: DetectionModel;
  readonly maxDecay: number;
  readonly tau: number;
  updates: number;

  /** A copy of `model` (same config, its state loaded), in eval mode and not trainable. */
  constructor(model: DetectionModel, o: ModelEMAOptions = {}) {
    this.maxDecay = o.decay ?? 0.9999;
    this.tau = o.tau ?? 2000;
    this.updates = o.updates ?? 0;
    this.ema = new DetectionModel(model.options);
    const first = model.parameters()[0];
    if (first && (first.device !== "cpu" || first.dtype !== "float32"))
      this.ema.to(first.device, first.dtype);
    this.ema.loadStateDict(model.stateDict());
    this.ema.eval();
    for (const p of this.ema.parameters()) p.requiresGrad_(false);
  }

  /** d(updates) = decay * (1 - exp(-updates / tau)). */
  decay(updates: number): number {
    return this.maxDecay * (1 - Math.exp(-updates / this.tau));
  }

  /** One step: ema = d * ema + (1 - d) * model for floating tensors; integer buffers are copied. */
  update(model: DetectionModel): void {
    this.updates += 1;
    const d = this.decay(this.updates);
    const src = model.stateDict();
    torch.noGrad(() =>
      torch.tidy(() => {
        for (const [k, v] of this.ema.stateDict()) {
          const m = src.get(k);
          if (!m) throw new Error(`ModelEMA.update: the model has no ${k}`);
          if (torch.isFloating(v.dtype)) v.lerp_(m.detach(), 1 - d);
          else v.copy_(m);
        }
      }),
    );
  }

  dispose(): void {
    this.ema.dispose();
  }
}
