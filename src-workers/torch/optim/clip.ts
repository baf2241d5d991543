/** Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), in place on the gradients. */
import { nativeTorch } from "../native.js";
import type { Tensor } from "../tensor.js";

/**
 * Scale the gradients of params so that their total norm (the normType-norm of the per-tensor norms;
 * Infinity for the max-abs) is at most maxNorm. Returns the total norm before clipping (0 when no
 * parameter has a gradient). As PyTorch: coefficient min(1, maxNorm / (total + 1e-6)).
 */
export function clipGradNorm(params: Tensor | readonly Tensor[], maxNorm: number, normType = 2): number {
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm) || maxNorm < 0)
    throw new RangeError(`clipGradNorm: invalid maxNorm ${String(maxNorm)}`);
  if (typeof normType !== "number" || !(normType > 0))
    throw new RangeError(`clipGradNorm: invalid normType ${String(normType)} (> 0, or Infinity)`);
  const list = Array.isArray(params) ? (params as readonly Tensor[]) : [params as Tensor];
  return nativeTorch().clipGradNorm(
    list.map((p) => p.native),
    maxNorm,
    normType,
  );
}

/** Clamp every gradient element of params to [-clipValue, clipValue]. */
export function clipGradValue(params: Tensor | readonly Tensor[], clipValue: number): void {
  if (typeof clipValue !== "number" || !(clipValue >= 0))
    throw new RangeError(`clipGradValue: invalid clipValue ${String(clipValue)}`);
  const T = nativeTorch();
  const list = Array.isArray(params) ? (params as readonly Tensor[]) : [params as Tensor];
  for (const p of list) {
    const g = nativeTorch().grad(p.native);
    if (!g) continue;
    try {
      T.clamp_(g, -clipValue, clipValue);
    } finally {
      T.dispose(g);
    }
  }
}
