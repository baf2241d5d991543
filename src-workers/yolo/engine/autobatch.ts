/**
 * `batch -1`: the largest training batch that fits a fraction of the GPU's memory, as Ultralytics'
 * utils/autobatch.py: probe a forward+backward at a few batch sizes, fit memory = a + b * batch to the
 * probes that succeeded (and grew), solve for the budget, and step back below a size that ran out of
 * memory. On the CPU there is nothing to measure: the default batch, with a notice.
 */
import * as torch from "../../torch/index.js";
import type { DetectionModel } from "../model/detection-model.js";

export const AUTOBATCH_DEFAULT = 16;
/** Share of the device's free memory a batch may fill. */
export const AUTOBATCH_FRACTION = 0.9;

export interface MemoryInfo {
  /** Bytes of the device. */
  readonly total: number;
  /** Bytes usable by this process: free in the driver plus what our allocator already holds. */
  readonly available: number;
}

/** Bytes the allocator holds after a forward+backward at `batch`, or null when it ran out of memory. */
export type MemoryProbe = (batch: number) => number | null;

export interface AutoBatchResult {
  readonly batch: number;
  /** Predicted share of `available` the chosen batch uses (null when not measured). */
  readonly fraction: number | null;
  /** What happened, for the log. */
  readonly notice: string;
}

/** Probe batch sizes as Ultralytics: up to 16 on a device under 16 GiB, else up to 64. */
export function probeSizes(totalBytes: number): number[] {
  return totalBytes < 16 * 2 ** 30 ? [1, 2, 4, 8, 16] : [1, 2, 4, 8, 16, 32, 64];
}

/** Least-squares line through (x, y): [intercept, slope]. */
function fitLine(xs: readonly number[], ys: readonly number[]): [number, number] {
  const n = xs.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return [my - slope * mx, slope];
}

/** The batch for a memory budget, from probes at `probeSizes(mem.total)`; pure, so it can be tested. */
export function chooseBatch(
  mem: MemoryInfo,
  probe: MemoryProbe,
  fraction = AUTOBATCH_FRACTION,
  fallback = AUTOBATCH_DEFAULT,
): AutoBatchResult {
  const sizes = probeSizes(mem.total);
  const used: (number | null)[] = [];
  for (const b of sizes) {
    const m = probe(b);
    used.push(m);
    if (m === null) break; // larger batches will not fit either
  }
  // As Ultralytics: keep probes that worked, fit on the device, and grew over the previous one.
  const xs: number[] = [];
  const ys: number[] = [];
  used.forEach((m, i) => {
    const prev = i > 0 ? used[i - 1] : undefined;
    if (m !== null && m > 0 && m < mem.total && (i === 0 || prev === null || m > prev!)) {
      xs.push(sizes[i]!);
      ys.push(m);
    }
  });
  if (xs.length < 2)
    return { batch: fallback, fraction: null, notice: `too few memory probes, using batch ${fallback}` };
  const [a, slope] = fitLine(xs, ys);
  let b = slope > 0 ? Math.floor((mem.available * fraction - a) / slope) : fallback;
  const oom = used.indexOf(null);
  if (oom >= 0 && b >= sizes[oom]!) b = sizes[Math.max(oom - 1, 0)]!;
  if (b < 1 || b > 1024)
    return {
      batch: fallback,
      fraction: null,
      notice: `batch ${b} is out of range 1-1024 (memory probes did not fit a line), using batch ${fallback}`,
    };
  const share = (a + slope * b) / mem.available;
  return {
    batch: b,
    fraction: share,
    notice: `batch ${b} uses about ${(share * 100).toFixed(0)}% of ${(mem.available / 2 ** 30).toFixed(1)} GiB available (${(mem.total / 2 ** 30).toFixed(1)} GiB device)`,
  };
}

function isOutOfMemory(e: unknown): boolean {
  return e instanceof Error && /out of memory/i.test(e.message);
}

/** Forward + backward of the model on `batch` blank images at `imgsz`; reserved bytes after it, or null on OOM. */
function probeModel(model: DetectionModel, device: string, index: number, imgsz: number): MemoryProbe {
  return (batch) => {
    try {
      torch.tidy(() => {
        const x = torch.zeros([batch, 3, imgsz, imgsz]).toDevice(device);
        const outs = model.forward(x);
        let s = outs[0]!.sum();
        for (const o of outs.slice(1)) s = s.add(o.sum());
        s.backward();
      });
      torch.cuda.synchronize(index);
      return torch.cuda.memoryStats(index).peakReserved;
    } catch (e) {
      if (isOutOfMemory(e)) return null;
      throw e;
    } finally {
      for (const p of model.parameters()) p.grad = null;
    }
  };
}

/** The batch for `batch -1` on `device` (the model is moved there). */
export function autoBatch(model: DetectionModel, device: string, imgsz: number): AutoBatchResult {
  if (!device.startsWith("cuda"))
    return {
      batch: AUTOBATCH_DEFAULT,
      fraction: null,
      notice: `batch -1 needs a CUDA device to measure memory; using the default batch ${AUTOBATCH_DEFAULT} on ${device}`,
    };
  const index = Number(device.split(":")[1] ?? 0);
  model.to(device);
  const info = torch.cuda.memGetInfo(index);
  const held = torch.cuda.memoryStats(index).reserved;
  const wasTraining = model.training;
  model.train();
  try {
    return chooseBatch(
      { total: info.total, available: info.free + held },
      probeModel(model, device, index, imgsz),
    );
  } finally {
    model.train(wasTraining);
  }
}
