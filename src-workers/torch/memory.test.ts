/**
 * A synchronous training loop must not grow: 1,000 steps of a small conv net (conv3x3 + batch norm in
 * training mode with running statistics + SiLU, forward, backward, AdamW, zeroGrad), one tidy() per
 * step. After a warm-up, RSS stays within 5% and the live-tensor count returns to its baseline.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "./index.js";
import type { Tensor } from "./index.js";

const STEPS = 1000;
const WARMUP = 100;

interface Layer {
  weight: Tensor;
  gamma: Tensor;
  beta: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
  stride: number;
}

function makeNet(): Layer[] {
  const channels: [number, number, number][] = [
    [3, 16, 1],
    [16, 32, 2],
    [32, 32, 1],
    [32, 64, 2],
  ];
  return channels.map(([cin, cout, stride], i) =>
    torch.tidy(() => {
      const layer = {
        weight: torch
          .randn([cout, cin, 3, 3], { seed: i })
          .mul(Math.sqrt(2 / (cin * 9)))
          .requiresGrad_(),
        gamma: torch.ones([cout]).requiresGrad_(),
        beta: torch.zeros([cout]).requiresGrad_(),
        runningMean: torch.zeros([cout]),
        runningVar: torch.ones([cout]),
        stride,
      };
      for (const t of [layer.weight, layer.gamma, layer.beta, layer.runningMean, layer.runningVar])
        torch.keep(t);
      return layer;
    }),
  );
}

function forward(net: Layer[], x: Tensor): Tensor {
  let h = x;
  for (const l of net) {
    h = torch.conv2d(h, l.weight, null, { stride: l.stride, padding: 1 });
    h = torch.batchNorm(h, {
      weight: l.gamma,
      bias: l.beta,
      runningMean: l.runningMean,
      runningVar: l.runningVar,
      training: true,
      momentum: 0.1,
    });
    h = h.silu();
  }
  return h;
}

/** Runs the loop once (shared by the two tests below). */
function train(): {
  rssWarm: number;
  rssEnd: number;
  liveWarm: number;
  liveEnd: number;
  baseline: number;
  expectedLive: number;
  loss: number;
  ms: number;
} {
  const baseline = torch.liveTensors().count;
  const net = makeNet();
  const params = net.flatMap((l) => [l.weight, l.gamma, l.beta]);
  const opt = new torch.AdamW(params, { lr: 1e-3, weightDecay: 1e-2 });
  let rssWarm = 0;
  let liveWarm = 0;
  let loss = 0;
  const t0 = performance.now();
  for (let step = 1; step <= STEPS; step++) {
    loss = torch.tidy(() => {
      const x = torch.randn([4, 3, 32, 32], { seed: step });
      const l = forward(net, x).mean();
      l.backward();
      opt.step();
      opt.zeroGrad();
      return step % 100 === 0 ? l.item() : loss;
    });
    if (step === WARMUP) {
      rssWarm = process.memoryUsage.rss();
      liveWarm = torch.liveTensors().count;
    }
  }
  const rssEnd = process.memoryUsage.rss();
  const ms = performance.now() - t0;
  const liveEnd = torch.liveTensors().count;
  opt.dispose();
  for (const l of net) torch.dispose([l.weight, l.gamma, l.beta, l.runningMean, l.runningVar]);
  const result = {
    rssWarm,
    rssEnd,
    liveWarm,
    liveEnd,
    baseline,
    expectedLive: baseline + net.length * 5 + params.length * 2,
    loss,
    ms,
  };
  console.log(
    `memory: ${STEPS} steps in ${(ms / 1000).toFixed(1)} s; RSS after warm-up ${(rssWarm / 2 ** 20).toFixed(1)} MiB, ` +
      `at the end ${(rssEnd / 2 ** 20).toFixed(1)} MiB (${(((rssEnd - rssWarm) / rssWarm) * 100).toFixed(2)}%); ` +
      `live tensors ${liveEnd}; loss ${loss.toFixed(4)}`,
  );
  return result;
}

describe("memory", () => {
  let run: ReturnType<typeof train> | undefined;
  const once = () => (run ??= train());

  it(`frees every tensor over ${STEPS} training steps (live count flat, back to baseline after dispose)`, () => {
    const r = once();
    expect(Number.isFinite(r.loss)).toBe(true);
    // Parameters, BN buffers and optimizer state only: the same count as after the warm-up.
    expect(r.liveEnd).toBe(r.liveWarm);
    expect(r.liveWarm).toBe(r.expectedLive);
    expect(torch.liveTensors().count).toBe(r.baseline);
  });

  it(`keeps RSS within 5% over ${STEPS} training steps after a ${WARMUP}-step warm-up`, () => {
    const r = once();
    const growth = (r.rssEnd - r.rssWarm) / r.rssWarm;
    // Seen failing with glibc malloc: tensor accounting is flat, but the heap fragments (freed tensor
    // buffers pinned by small allocations that live until V8's GC collects the handles; the dynamic
    // mmap threshold sends big buffers to the heap). Fix belongs in the addon (see the report).
    expect(Math.abs(growth), `RSS grew from ${r.rssWarm} to ${r.rssEnd} bytes`).toBeLessThanOrEqual(0.05);
  });
});

describe("the garbage collector as a safety net", () => {
  it("frees tensors that escaped every scope and were dropped without dispose()", () => {
    // A child process with --expose-gc: the collector's callbacks run once the event loop turns.
    const script = `
      const torch = await import(${JSON.stringify(join(import.meta.dirname, "..", "..", "dist", "src-workers", "torch", "index.js"))});
      const base = torch.liveTensors().count;
      (() => { for (let i = 0; i < 200; i++) torch.zeros([1000]); })();
      const made = torch.liveTensors().count - base;
      for (let i = 0; i < 20 && torch.liveTensors().count > base; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      console.log(JSON.stringify({ made, left: torch.liveTensors().count - base }));`;
    const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    const { made, left } = JSON.parse(out.trim()) as { made: number; left: number };
    expect(made).toBe(200);
    expect(left).toBe(0);
  });
});
