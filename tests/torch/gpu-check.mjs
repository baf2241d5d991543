#!/usr/bin/env node
// GPU check of the libtorch addon (run by scripts/gpu-check.sh on a machine with an NVIDIA GPU):
// every op group on cuda:0 against the same op on the CPU, autograd and an optimizer step on CUDA,
// NMS, seeded random numbers, memory statistics. Prints one line per check and a closing count.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../dist/src-workers/torch/index.js";

const DEV = process.env.AZAION_GPU_DEVICE ?? "cuda:0";
const results = [];
const log = (ok, name, detail = "") => {
  results.push({ ok, name, detail });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `  ${detail}` : ""}`);
};

function close(a, b, rtol = 1e-4, atol = 1e-5) {
  const x = a.to("float64", "cpu").toNumbers();
  const y = b.to("float64", "cpu").toNumbers();
  if (x.length !== y.length) return `length ${x.length} vs ${y.length}`;
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) && Number.isNaN(y[i])) continue;
    const err = Math.abs(x[i] - y[i]) - rtol * Math.abs(y[i]);
    if (!(err <= atol)) return `element ${i}: ${x[i]} vs ${y[i]}`;
    worst = Math.max(worst, Math.abs(x[i] - y[i]));
  }
  return `max |diff| ${worst.toExponential(2)}`;
}

/** Run f on CPU inputs and on the same inputs moved to the GPU; compare every output. */
function check(name, makeInputs, f, tol) {
  try {
    torch.tidy(() => {
      const cpuIn = makeInputs();
      const gpuIn = cpuIn.map((t) => (t instanceof torch.Tensor ? t.toDevice(DEV).clone() : t));
      const outCpu = [f(...cpuIn)].flat();
      const outGpu = [f(...gpuIn)].flat();
      const devices = outGpu.map((t) => t.device);
      if (devices.some((d) => d !== DEV)) throw new Error(`output on ${devices.join(",")}, expected ${DEV}`);
      const msgs = outCpu.map((o, i) => close(outGpu[i], o, tol?.rtol, tol?.atol));
      const bad = msgs.find((m) => !m.startsWith("max"));
      log(!bad, name, bad ?? msgs.join("; "));
    });
  } catch (err) {
    log(false, name, err.message);
  }
}

const r = (shape, seed, scale = 1) => torch.randn(shape, { seed }).mul(scale);
const pos = (shape, seed) => torch.rand(shape, { seed }).add(0.1);

const onGpu = DEV.startsWith("cuda");
if (onGpu) {
  log(torch.buildInfo().cuda, "addon built with CUDA", JSON.stringify(torch.buildInfo()));
  log(torch.cuda.isAvailable(), "cuda available", `devices ${torch.cuda.deviceCount()}`);
}

// element-wise, broadcasting, comparisons, logic
check(
  "add/sub/mul/div broadcast",
  () => [r([4, 3, 1], 1), r([1, 5], 2)],
  (a, b) => [a.add(b), a.sub(b, 2), a.mul(b), a.div(b.abs().add(0.5))],
);
check(
  "scalar ops, rsub, rdiv, pow",
  () => [pos([6, 7], 3)],
  (a) => [a.add(2.5), a.rsub(1), a.rdiv(2), a.pow(1.7), a.pow(2)],
);
check(
  "comparisons and logic",
  () => [r([5, 6], 4), r([5, 6], 5)],
  (a, b) => [a.gt(b), a.le(0), a.eq(a), a.gt(0).logicalAnd(b.lt(0)), a.gt(0).logicalNot()],
);
check(
  "where and clamp",
  () => [r([5, 6], 6), r([5, 6], 7)],
  (a, b) => [
    torch.where(a.gt(b), a, b),
    torch.where(a.gt(0), a, 0),
    a.clamp(-0.5, 0.5),
    a.clamp(b.sub(1), b.add(1)),
  ],
);
check(
  "unary math",
  () => [pos([4, 9], 8)],
  (a) => [
    a.sqrt(),
    a.exp(),
    a.log(),
    a.atan(),
    a.abs(),
    a.sign(),
    a.sigmoid(),
    a.silu(),
    a.relu(),
    a.atan2(a.add(1)),
  ],
);
// reductions and sorting
check(
  "sum/mean/amax/prod with dims",
  () => [r([3, 4, 5], 9)],
  (a) => [a.sum(), a.sum([0, 2], true), a.mean(1), a.amax(-1), a.prod(2), a.cumsum(1)],
);
check(
  "max/min/argmax with dim",
  () => [r([6, 8], 10)],
  (a) => [...a.maxDim(1), ...a.minDim(0, true), a.argmax(1), a.max()],
);
check(
  "sort and topk",
  () => [r([5, 40], 11)],
  (a) => [...a.sort(1, true), ...a.topk(10, 1)],
);
// indexing
check(
  "gather/scatter/scatterAdd/indexSelect",
  () => [r([4, 6], 12), torch.randint(0, 6, [4, 3], { seed: 13 })],
  (a, i) => [
    a.gather(1, i),
    a.scatter(1, i.slice(1, 0, 1), 9),
    torch.zeros([4, 6], { device: a.device }).scatterAdd(1, i, torch.ones([4, 3], { device: a.device })),
    a.indexSelect(1, i.select(1, 0)),
  ],
);
check(
  "masks, nonzero, index, indexPut",
  () => [r([5, 7], 14)],
  (a) => {
    const m = a.gt(0);
    return [
      a.maskedFill(m, -1),
      a.maskedSelect(m),
      m.nonzero(),
      a.mask(m),
      a.indexPut([m], 3),
      a.indexPut([m], 1, true),
    ];
  },
);
// shapes
check(
  "view/permute/expand/repeat/flip/cat/stack/split",
  () => [r([2, 3, 4], 15)],
  (a) => [
    a.view(6, 4),
    a.permute(2, 0, 1).contiguous(),
    a.unsqueeze(1).expand(2, 5, 3, 4),
    a.repeat(1, 2, 1),
    a.flip(2),
    torch.cat([a, a], 1),
    torch.stack([a, a], 0),
    ...a.split(2, 2),
    ...a.chunk(3, 1),
  ],
);
// nn
check(
  "conv2d stride/padding/groups/dilation",
  () => [r([2, 8, 17, 17], 16), r([16, 4, 3, 3], 17, 0.2), r([16], 18)],
  (x, w, b) => [
    torch.conv2d(x, w, b, { stride: 2, padding: 1, groups: 2 }),
    torch.conv2d(x, w, null, { padding: 2, dilation: 2, groups: 2 }),
  ],
  { rtol: 1e-3, atol: 1e-4 },
);
check(
  "batchNorm train (running stats) and eval",
  () => [r([4, 6, 5, 5], 19), torch.zeros([6]), torch.ones([6]), pos([6], 20), r([6], 21)],
  (x, rm, rv, w, b) => [
    torch.batchNorm(x, {
      weight: w,
      bias: b,
      runningMean: rm,
      runningVar: rv,
      training: true,
      momentum: 0.03,
      eps: 1e-3,
    }),
    rm,
    rv,
    torch.batchNorm(x, { weight: w, bias: b, runningMean: rm, runningVar: rv, training: false, eps: 1e-3 }),
  ],
);
check(
  "maxPool2d and upsample",
  () => [r([2, 3, 16, 16], 22)],
  (x) => [
    torch.maxPool2d(x, 5, { stride: 1, padding: 2 }),
    torch.maxPool2d(x, 2),
    torch.upsampleNearest2d(x, 2),
  ],
);
check(
  "softmax, logSoftmax, losses",
  () => [r([6, 10], 23), torch.rand([6, 10], { seed: 24 }), torch.randint(0, 10, [6], { seed: 25 })],
  (x, y, c) => [
    x.softmax(1),
    x.logSoftmax(1),
    torch.bceWithLogits(x, y),
    torch.bceWithLogits(x, y, { reduction: "none" }),
    torch.crossEntropy(x, c, { labelSmoothing: 0.1 }),
  ],
);
check(
  "matmul and bmm",
  () => [r([3, 4, 5], 26), r([3, 5, 6], 27)],
  (a, b) => [a.matmul(b), a.bmm(b)],
  { rtol: 1e-3, atol: 1e-4 },
);
check(
  "half and bfloat16 round trips",
  () => [r([4, 4], 28)],
  (a) => [a.half().float(), a.to("bfloat16").float()],
);

// NMS on CUDA inputs: same kept indices as on the CPU
check(
  "nms",
  () => [
    torch.rand([300, 2], { seed: 29 }).mul(600),
    torch.rand([300, 2], { seed: 30 }).mul(80).add(4),
    torch.rand([300], { seed: 31 }),
  ],
  (xy, wh, s) => [torch.nms(torch.cat([xy, xy.add(wh)], 1), s, 0.5)],
);

// autograd and an AdamW step on CUDA against the CPU
check(
  "autograd: conv + bn + silu backward",
  () => [r([2, 3, 32, 32], 32), r([8, 3, 3, 3], 33, 0.3)],
  (x, w0) => {
    const w = w0.detach().requiresGrad_();
    const y = torch.batchNorm(torch.conv2d(x, w, null, { stride: 2, padding: 1 }), { training: true }).silu();
    y.square().mean().backward();
    return [y, w.grad];
  },
  { rtol: 1e-3, atol: 1e-5 },
);

if (torch.AdamW) {
  check(
    "AdamW: 5 steps",
    () => [r([8, 3, 3, 3], 34, 0.3), r([2, 3, 16, 16], 35)],
    (w0, x) => {
      const w = w0.detach().clone().requiresGrad_();
      const opt = new torch.AdamW([w], { lr: 0.01, weightDecay: 0.05 });
      for (let i = 0; i < 5; i++) {
        torch.tidy(() => {
          torch.conv2d(x, w, null, { padding: 1 }).silu().mean().backward();
          opt.step();
          opt.zeroGrad();
        });
      }
      opt.dispose();
      return [w.detach()];
    },
    { rtol: 1e-4, atol: 1e-6 },
  );
}

// seeded random numbers are drawn on the CPU, so a seed gives the same numbers on every device
try {
  torch.tidy(() => {
    const d = close(torch.randn([1000], { seed: 7, device: DEV }), torch.randn([1000], { seed: 7 }), 0, 0);
    log(d.startsWith("max"), "seeded randn equal on cuda and cpu", d);
  });
} catch (err) {
  log(false, "seeded randn equal on cuda and cpu", err.message);
}

// memory statistics and synchronize
if (onGpu)
  try {
    const big = torch.zeros([64, 1024, 1024], { device: DEV });
    torch.cuda.synchronize();
    const stats = torch.cuda.memoryStats(0);
    log(stats.allocated >= 256 * 1024 * 1024, "cuda memory statistics", JSON.stringify(stats));
    big.dispose();
    const after = torch.cuda.memoryStats(0);
    log(
      after.allocated < stats.allocated,
      "dispose frees device memory",
      `allocated ${stats.allocated} -> ${after.allocated}`,
    );
  } catch (err) {
    log(false, "cuda memory statistics", err.message);
  }

// errors on CUDA are typed and name the device
try {
  torch.tidy(() => torch.zeros([2, 2], { device: DEV }).matmul(torch.zeros([3, 3], { device: DEV })));
  log(false, "cuda shape error is a TorchError", "no error");
} catch (err) {
  log(
    err instanceof torch.TorchError && (!onGpu || err.message.includes(`@${DEV}`)),
    "shape error is a TorchError",
    err.message,
  );
}

const failed = results.filter((x) => !x.ok).length;
console.log(`\ngpu-check: ${results.length - failed} passed, ${failed} failed`);
if (process.env.AZAION_GPU_OUT)
  writeFileSync(join(process.env.AZAION_GPU_OUT, "gpu-check.json"), JSON.stringify(results, null, 2));
process.exitCode = failed === 0 ? 0 : 1;
