// Forward-latency benchmark: our YOLO11 (dist/, after `npm run build`) against the same network in
// PyTorch from Python (bench/yolo11_ref.py, a pure-torch reference loaded with our weights), fused
// and in eval mode under no-grad, as a predictor runs it. Runs alternate between the two sides
// after a warm-up; reported: medians and the median ratio ours/PyTorch of the alternating pairs.
//
//   npm run build && npm run bench:forward
//   env: BENCH_SCALES (n,m), BENCH_BATCHES (1,8), BENCH_IMGSZ (640), BENCH_RUNS (10), BENCH_WARMUP (2),
//        BENCH_THREADS (all cores), BENCH_PYTHON (/usr/bin/python3: Debian's torch)
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startPythonPeer } from "./python-peer.mjs";
import { median } from "./stats.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => pathToFileURL(join(root, "dist", "src-workers", p)).href;
if (!existsSync(join(root, "dist", "src-workers", "yolo", "model", "detection-model.js"))) {
  console.error("dist/ has no YOLO model: run 'npm run build' first");
  process.exit(1);
}
const torch = await import(dist("torch/index.js"));
const { DetectionModel } = await import(dist("yolo/model/detection-model.js"));

const list = (v, d) =>
  (v ?? d)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
const SCALES = list(process.env.BENCH_SCALES, "n,m");
const BATCHES = list(process.env.BENCH_BATCHES, "1,8").map(Number);
const IMGSZ = Number(process.env.BENCH_IMGSZ ?? 640);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const THREADS = Number(process.env.BENCH_THREADS ?? availableParallelism());
const PYTHON = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
torch.setNumThreads(THREADS);

/** The Python reference as a child answering one line per command. */
async function startPython(args) {
  return startPythonPeer(PYTHON, join(root, "bench", "yolo11_ref.py"), args, ["ms", "diff"]);
}

function ourForward(model, x) {
  const t0 = performance.now();
  torch.noGrad(() => torch.tidy(() => model.infer(x).sum().item()));
  return performance.now() - t0;
}

console.log(`forward bench: YOLO11 fused, eval, no-grad, ${IMGSZ}x${IMGSZ}, ${THREADS} thread(s), CPU`);
console.log(`ours: libtorch ${torch.buildInfo().torchVersion} via the addon`);
const tmp = mkdtempSync(join(tmpdir(), "azaion-forward-bench-"));
const rows = [];
try {
  for (const scale of SCALES) {
    const model = new DetectionModel({ scale, nc: 80 }).eval().fuse();
    const weights = join(tmp, `yolo11${scale}.safetensors`);
    await torch.saveSafetensors(weights, model.stateDict());
    const py = await startPython([weights, scale, "80", String(THREADS)]);
    if (py.error) {
      console.log(`PyTorch side unavailable (${py.error.trim()}); set BENCH_PYTHON to a python with torch.`);
      model.dispose();
      break;
    }
    // Same weights, same input: the reference must compute what we compute.
    const probe = join(tmp, "probe.safetensors");
    const input = torch.rand([1, 3, 320, 320], { seed: 1 });
    const output = torch.noGrad(() => model.infer(input));
    await torch.saveSafetensors(probe, { input, output });
    const diff = await py.ask(`check ${probe}`);
    torch.dispose([input, output]);
    console.log(
      `yolo11${scale}: pytorch ${py.info}; max |ours - pytorch| on one 320 image: ${diff.toExponential(2)}`,
    );
    for (const b of BATCHES) {
      const x = torch.keep(torch.rand([b, 3, IMGSZ, IMGSZ], { seed: 0 }));
      for (let i = 0; i < WARMUP; i++) {
        ourForward(model, x);
        await py.ask(`fwd ${b} ${IMGSZ}`);
      }
      const ours = [];
      const theirs = [];
      const ratios = [];
      for (let i = 0; i < RUNS; i++) {
        const a = ourForward(model, x);
        const t = await py.ask(`fwd ${b} ${IMGSZ}`);
        ours.push(a);
        theirs.push(t);
        ratios.push(a / t);
      }
      x.dispose();
      const r = median(ratios);
      rows.push({ model: `yolo11${scale}`, batch: b, ours: median(ours), pytorch: median(theirs), ratio: r });
      console.log(
        `  batch ${b}: ours ${median(ours).toFixed(1)} ms, pytorch ${median(theirs).toFixed(1)} ms, ` +
          `ratio ${r.toFixed(3)} ${r <= 1.05 ? "(goal <= 1.05 met)" : "(goal <= 1.05 NOT met)"}`,
      );
    }
    py.close();
    model.dispose();
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (rows.length)
  console.table(
    rows.map((r) => ({
      ...r,
      ours: +r.ours.toFixed(1),
      pytorch: +r.pytorch.toFixed(1),
      ratio: +r.ratio.toFixed(3),
    })),
  );
