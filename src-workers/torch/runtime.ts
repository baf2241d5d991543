/** Process-wide settings of libtorch: seeds, threads, autograd mode, CUDA, live-tensor counters. */
import { nativeTorch } from "./native.js";

export function manualSeed(seed: number): void {
  nativeTorch().manualSeed(seed);
}

export function setNumThreads(n: number): void {
  nativeTorch().setNumThreads(n);
}

export function getNumThreads(): number {
  return nativeTorch().getNumThreads();
}

/** Run fn with autograd off (Python's `with torch.no_grad()`); restores the previous mode. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Run fn with autograd on, inside a noGrad scope too (Python's `with torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

function withGradMode<T>(on: boolean, fn: () => T): T {
  const native = nativeTorch();
  const prev = native.setGradEnabled(on);
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}

export function isGradEnabled(): boolean {
  return nativeTorch().isGradEnabled();
}

export const cuda = {
  isAvailable: (): boolean => nativeTorch().cudaIsAvailable(),
  deviceCount: (): number => nativeTorch().cudaDeviceCount(),
  synchronize: (device?: number): void => nativeTorch().cudaSynchronize(device),
  memoryStats: (device = 0) => nativeTorch().cudaMemoryStats(device),
  /** Free and total bytes of the device as the driver sees them (other processes included). */
  memGetInfo: (device = 0): { free: number; total: number } => nativeTorch().cudaMemGetInfo(device),
};

/**
 * `fn` under CUDA autocast (float16 where safe, as torch.autocast("cuda")) when `on`, else as is; the
 * previous state comes back afterwards, also on a throw. CPU tensors are not affected.
 */
export function withAutocast<T>(on: boolean, fn: () => T): T {
  if (!on) return fn();
  const native = nativeTorch();
  const prev = native.setAutocastEnabled(true);
  try {
    return fn();
  } finally {
    native.setAutocastEnabled(prev);
  }
}

export function isAutocastEnabled(): boolean {
  return nativeTorch().isAutocastEnabled();
}

/** Tensors alive in the addon (handles not yet disposed or collected) and their bytes. */
export function liveTensors(): { count: number; bytes: number } {
  return nativeTorch().liveTensors();
}

export function buildInfo(): { torchVersion: string; cuda: boolean; cxx11Abi: number } {
  return nativeTorch().buildInfo();
}
