// Training-step benchmark: our libtorch addon (dist/src-workers/torch, after `npm run build`) against
// PyTorch from Python (bench/torch_step.py, a long-lived child answering "step" commands), same model
// shapes and thread count, steps alternating between the two after a warm-up. Also the per-op
// overhead of small ops through the addon.
//
//   npm run build && npm run bench:torch
//   env: BENCH_THREADS (default: all cores), BENCH_STEPS (30), BENCH_WARMUP (5), BENCH_PYTHON (/usr/bin/python3)
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { startPythonPeer } from "./python-peer.mjs";
import { median } from "./stats.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "dist", "src-workers", "torch", "index.js");
if (!existsSync(entry)) {
  console.error(`${entry} is missing: run 'npm run build' (and 'bash scripts/setup.sh' for the addon) first`);
  process.exit(1);
}
const torch = await import(pathToFileURL(entry).href);

const THREADS = Number(process.env.BENCH_THREADS ?? availableParallelism());
const STEPS = Number(process.env.BENCH_STEPS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const PYTHON = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
torch.setNumThreads(THREADS);

// ---- our step -----------------------------------------------------------------------------------
function block(cin, cout, seed) {
  return torch.tidy(() => {
    const fanIn = cin * 9;
    const l = {
      weight: torch
        .rand([cout, cin, 3, 3], { seed })
        .mul(2)
        .sub(1)
        .mul(1 / Math.sqrt(fanIn))
        .requiresGrad_(),
      gamma: torch.ones([cout]).requiresGrad_(),
      beta: torch.zeros([cout]).requiresGrad_(),
      runningMean: torch.zeros([cout]),
      runningVar: torch.ones([cout]),
    };
    for (const t of Object.values(l)) torch.keep(t);
    return l;
  });
}
const net = [block(3, 16, 1), block(16, 32, 2), block(32, 64, 3)];
const params = net.flatMap((l) => [l.weight, l.gamma, l.beta]);
const opt = new torch.AdamW(params, { lr: 1e-3, weightDecay: 1e-2 });
const x = torch.keep(torch.randn([8, 3, 320, 320], { seed: 0 }));

function ourStep() {
  const t0 = performance.now();
  torch.tidy(() => {
    let h = x;
    for (const l of net) {
      h = torch.conv2d(h, l.weight, null, { stride: 2, padding: 1 });
      h = torch.batchNorm(h, {
        weight: l.gamma,
        bias: l.beta,
        runningMean: l.runningMean,
        runningVar: l.runningVar,
        training: true,
      });
      h = h.silu();
    }
    h.mean().backward();
    opt.step();
    opt.zeroGrad();
  });
  return performance.now() - t0;
}

// ---- python side --------------------------------------------------------------------------------
async function startPython() {
  return startPythonPeer(PYTHON, join(root, "bench", "torch_step.py"), [String(THREADS)], ["ms", "us"]);
}

// ---- run ----------------------------------------------------------------------------------------
console.log(
  `torch bench: ${THREADS} thread(s); stem 3->16->32->64 (conv3x3 s2 + BN + SiLU), batch 8x3x320x320, forward + backward + AdamW`,
);
console.log(
  `ours: libtorch ${torch.buildInfo().torchVersion} via the addon, ${torch.getNumThreads()} thread(s)`,
);
const py = await startPython();
if (py.error) {
  console.log(`PyTorch comparison skipped: ${PYTHON} has no usable torch (${py.error.trim()}).`);
  console.log(
    "  Install Debian's PyTorch with: apt-get install -y python3-torch   (or set BENCH_PYTHON to a python with torch)",
  );
} else {
  console.log(`pytorch: ${py.info}`);
}

for (let i = 0; i < WARMUP; i++) {
  ourStep();
  if (!py.error) await py.ask("step");
}
const ours = [];
const theirs = [];
const ratios = [];
for (let i = 0; i < STEPS; i++) {
  const a = ourStep();
  ours.push(a);
  if (!py.error) {
    const b = await py.ask("step");
    theirs.push(b);
    ratios.push(a / b);
  }
}
console.log(`step time, median of ${STEPS} (after ${WARMUP} warm-up):`);
console.log(`  ours     ${median(ours).toFixed(2)} ms  (min ${Math.min(...ours).toFixed(2)})`);
if (!py.error) {
  console.log(`  pytorch  ${median(theirs).toFixed(2)} ms  (min ${Math.min(...theirs).toFixed(2)})`);
  const r = median(ratios);
  console.log(
    `  ratio ours/pytorch (median of alternating pairs): ${r.toFixed(3)}  ${r <= 1.05 ? "(goal <= 1.05 met)" : "(goal <= 1.05 NOT met)"}`,
  );
}

// ---- per-op overhead ----------------------------------------------------------------------------
const N = 10_000;
const a = torch.keep(torch.ones([4]));
const b = torch.keep(torch.ones([4]));
for (let i = 0; i < 1000; i++) torch.tidy(() => a.add(b));
let t0 = performance.now();
for (let i = 0; i < N; i++) torch.tidy(() => a.add(b));
const addUs = ((performance.now() - t0) * 1e3) / N;
t0 = performance.now();
torch.tidy(() => {
  for (let i = 0; i < N; i++) a.add(b);
});
const addBatchUs = ((performance.now() - t0) * 1e3) / N;
t0 = performance.now();
let sink = 0;
for (let i = 0; i < N; i++) sink += a.numel;
const noopUs = ((performance.now() - t0) * 1e3) / N;
console.log(`per-op overhead (${N} ops):`);
console.log(`  add of two 4-element tensors, one tidy() each:  ${addUs.toFixed(2)} us/op`);
console.log(`  add of two 4-element tensors, one tidy() around: ${addBatchUs.toFixed(2)} us/op`);
console.log(
  `  no-op-ish native call (tensor.numel):            ${noopUs.toFixed(3)} us/call${sink === 4 * N ? "" : " (?)"}`,
);
if (!py.error) {
  await py.ask("ops 1000");
  console.log(
    `  pytorch a + b (4 elements):                      ${(await py.ask(`ops ${N}`)).toFixed(2)} us/op`,
  );
  py.close();
}
opt.dispose();
torch.dispose([net, x, a, b]);
