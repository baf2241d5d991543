// Synthetic dataset speed, against the built dist/ (npm run build first):
//   node bench/synth.bench.mjs [count=200] [size=640] [threads]
// Prints images/s of `writeSynthDataset` (make pixels, encode JPEG, write atomically) and, as a
// reference on the same machine in the same run, of JPEG-encoding as many random RGB buffers.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lib = join(root, "dist", "src-workers", "data", "synth", "index.js");
if (!existsSync(lib)) {
  process.stderr.write(`not built: run 'npm run build' in ${root}\n`);
  process.exit(1);
}
const { writeSynthDataset, encodeJpeg, generateSynthImage } = await import(lib);

const count = Number(process.argv[2] ?? 200);
const size = Number(process.argv[3] ?? 640);
const threads = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const IN_FLIGHT = 6;

// Warm-up outside the timings: module loading, the class table, sharp's first call.
await encodeJpeg(generateSynthImage(0, 0, size));

const out = await mkdtemp(join(tmpdir(), "azaion-synth-bench-"));
let synth;
try {
  synth = await writeSynthDataset({
    out,
    count,
    size,
    seed: 1,
    ...(threads === undefined ? {} : { threads }),
  });
} finally {
  await rm(out, { recursive: true, force: true });
}

// Encode-only reference: random bytes (incompressible, so a hard case for JPEG), same pipelining depth.
let state = 0x9e3779b9;
const buffers = Array.from({ length: 4 }, () => {
  const b = new Uint8Array(size * size * 3);
  for (let i = 0; i < b.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    b[i] = state & 255;
  }
  return b;
});
const t0 = performance.now();
const inFlight = new Set();
for (let i = 0; i < count; i++) {
  const p = encodeJpeg({ rgb: buffers[i % buffers.length], width: size, height: size }).then(() =>
    inFlight.delete(p),
  );
  inFlight.add(p);
  if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
}
await Promise.all(inFlight);
const encodeRate = count / ((performance.now() - t0) / 1000);

const line = (k, v) => console.log(`${k.padEnd(34)} ${v}`);
line("images", `${count} at ${size}x${size}, ${synth.boxes} boxes`);
line(
  "synth (make + encode + write)",
  `${synth.imagesPerSecond.toFixed(1)} images/s (${synth.threads} worker threads)`,
);
line("encode only (random RGB, sharp)", `${encodeRate.toFixed(1)} images/s`);
line("ratio synth / encode-only", (synth.imagesPerSecond / encodeRate).toFixed(2));
