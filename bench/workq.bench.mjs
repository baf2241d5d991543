// Augmentation over the work queue against the augmentation service, in the same run, against the
// built dist/ (npm run build first):
//   node bench/workq.bench.mjs [count=32] [rounds=2]
// Starts a private RabbitMQ (scripts/rabbitmq.sh, loopback, free ports) and a data root with `count`
// 1280x720 synth JPEGs (as bench/augment.bench.mjs), then times, each into a fresh output folder:
//   once 1 / once 2:     `azaion augment --once --workers 1|2` (its own images/s, from its start);
//   queue 1x1:           one `augment --worker` (prefetch 1), from `--submit` to the last job acked;
//   queue 2x1:           two such workers;
//   queue 1x2:           one worker with --prefetch 2 (two jobs at once on two threads);
// in interleaved rounds (best of each kept, with its CPU ms per source image: all threads, from the
// process's "ready" line on, so that its start is left out for both kinds), and prints
// the ratios queue/once at equal cores and 2 workers / 1 worker. The workers are started
// (and connected) before the submit: they are long-running services, their start is not the job's.
// Every run's outputs must be byte-identical to `once 1`'s (checked; a difference fails the bench).
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { clearInterval, setInterval } from "node:timers";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(repo, "dist", "src-workers");
if (!existsSync(join(dist, "workq", "worker.js"))) {
  process.stderr.write(`not built: run 'npm run build' in ${repo}\n`);
  process.exit(1);
}
const count = Number(process.argv[2] ?? 32);
const rounds = Number(process.argv[3] ?? 2);
const [WIDTH, HEIGHT] = [1280, 720];
const bin = join(repo, "bin", "azaion.js");

/** 1280x720 frames: the top of a 1280 px synth scene with its boxes there, as bench/augment. */
async function makeSources(dir) {
  const { generateSynthImage } = await import(join(dist, "data", "synth", "index.js"));
  mkdirSync(join(dir, "images"), { recursive: true });
  mkdirSync(join(dir, "labels"), { recursive: true });
  for (let i = 0, made = 0; made < count; i++) {
    const s = generateSynthImage(1, i, WIDTH);
    const lines = s.boxes
      .map((b) => {
        const y0 = Math.max(0, (b.cy - b.h / 2) * WIDTH);
        const y1 = Math.min(HEIGHT, (b.cy + b.h / 2) * WIDTH);
        return { ...b, cy: (y0 + y1) / 2 / HEIGHT, h: (y1 - y0) / HEIGHT };
      })
      .filter((b) => b.h * HEIGHT >= 4)
      .slice(0, 10)
      .map((b) => `${b.classId} ${b.cx.toFixed(6)} ${b.cy.toFixed(6)} ${b.w.toFixed(6)} ${b.h.toFixed(6)}`);
    if (lines.length === 0) continue;
    const data = s.rgb.subarray(0, WIDTH * HEIGHT * 3);
    const jpeg = await sharp(data, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    const stem = `frame_${String(made).padStart(4, "0")}`;
    writeFileSync(join(dir, "images", `${stem}.jpg`), jpeg);
    writeFileSync(join(dir, "labels", `${stem}.txt`), `${lines.join("\n")}\n`);
    made++;
  }
}

/** CPU seconds (user + system, all threads) of a running process, from /proc; 0 once it is gone. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (CLK_TCK 100)
  } catch {
    return 0;
  }
}

/** An azaion process, its log, and its CPU time sampled every 20 ms (the last sample before it ends). */
function start(args, env, ready) {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  let cpu = 0;
  /** CPU seconds spent before the process said it was ready to work (its start: node, imports, threads). */
  let startCpu = 0;
  const take = (d) => {
    log += d;
    if (ready && startCpu === 0 && ready.test(log)) startCpu = cpuSeconds(child.pid);
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const timer = setInterval(() => (cpu = Math.max(cpu, cpuSeconds(child.pid))), 20);
  const exit = new Promise((resolve) =>
    child.on("close", (code) => {
      clearInterval(timer);
      resolve(code);
    }),
  );
  return { child, exit, log: () => log, cpu: () => cpu, startCpu: () => startCpu };
}

async function until(what, ms = 600_000) {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out");
    await sleep(10);
  }
}

const doneCount = (log) => (log.match(/augment worker: job \w+ done in /g) ?? []).length;

/** Images and labels of an output folder: one digest, and the bytes. */
function digest(out) {
  const h = createHash("sha256");
  let bytes = 0;
  for (const sub of ["images", "labels"])
    for (const n of readdirSync(join(out, sub)).sort()) {
      const data = readFileSync(join(out, sub, n));
      h.update(n).update(data);
      bytes += data.length;
    }
  return { hash: h.digest("hex").slice(0, 16), bytes };
}

async function once(root, env, workers, round) {
  const out = join(root, `out-once-${workers}-${round}`);
  const p = start(["augment", "--once", "--workers", String(workers), "--out", out], env, /augment: \//);
  if ((await p.exit) !== 0) throw new Error(`augment --once failed:\n${p.log()}`);
  const m = /augment: (\d+) processed.*?; ([\d.]+) s, ([\d.]+) images\/s/.exec(p.log());
  if (!m || Number(m[1]) !== count) throw new Error(`unexpected augment --once output:\n${p.log()}`);
  return { rate: Number(m[3]), out, cpuMs: (1000 * (p.cpu() - p.startCpu())) / count };
}

async function queued(root, env, workers, prefetch, round) {
  const out = join(root, `out-q-${workers}x${prefetch}-${round}`);
  const ps = Array.from({ length: workers }, () =>
    start(["augment", "--worker", "--prefetch", String(prefetch)], env, /connected to amqp/),
  );
  await until(() => ps.every((p) => /connected to amqp/.test(p.log())));
  const sub = start(["augment", "--submit", "--out", out], env);
  // From the first job taken (the submitter's own start is not the workers' speed, as --once's
  // rate starts after its process has started) to the last one acked.
  await until(() => ps.some((p) => /job \w+ started/.test(p.log())));
  const t0 = performance.now();
  if ((await sub.exit) !== 0) throw new Error(`augment --submit failed:\n${sub.log()}`);
  await until(() => ps.reduce((n, p) => n + doneCount(p.log()), 0) >= count);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = ps.reduce((sum, p) => sum + cpuSeconds(p.child.pid) - p.startCpu(), 0);
  for (const p of ps) p.child.kill("SIGTERM");
  for (const p of ps) if ((await p.exit) !== 0) throw new Error(`worker failed:\n${p.log()}`);
  const perWorker = ps.map((p) => doneCount(p.log()));
  return { rate: count / seconds, out, perWorker, cpuMs: (1000 * cpu) / count };
}

/** The broker alone: small jobs published with confirms, then taken and acked by the worker class. */
async function brokerThroughput(env, n, prefetch) {
  const { loadConfig } = await import(join(dist, "core", "config.js"));
  const { amqpOptions } = await import(join(dist, "workq", "broker.js"));
  const { submitJobs } = await import(join(dist, "workq", "submit.js"));
  const { WorkQueueWorker } = await import(join(dist, "workq", "worker.js"));
  const { newJobId } = await import(join(dist, "workq", "jobs.js"));
  const o = amqpOptions(loadConfig({ env }), {});
  const queue = `bench-${prefetch}`;
  const jobs = Array.from({ length: n }, (_, i) => ({
    type: "augment",
    v: 1,
    id: newJobId(),
    source: "data",
    out: "data-processed",
    image: `frame_${String(i).padStart(6, "0")}.jpg`,
    seed: 0,
  }));
  const t0 = performance.now();
  await submitJobs(o, queue, jobs);
  const published = n / ((performance.now() - t0) / 1000);
  let done = 0;
  const w = new WorkQueueWorker({
    amqp: o,
    queue,
    kind: "augment",
    prefetch,
    retryMaxMs: 1000,
    handle: async () => {
      if (++done === n) w.stop();
      return { kind: "done", note: "" };
    },
  });
  const t1 = performance.now();
  await w.run();
  return {
    published,
    consumed: n / ((performance.now() - t1) / 1000),
    bytes: JSON.stringify(jobs[0]).length,
  };
}

const brokerDir = mkdtempSync(join(tmpdir(), "azaion-bench-workq-rmq-"));
const root = mkdtempSync(join(tmpdir(), "azaion-bench-workq-"));
const { freeRabbitMqPort } = await import(join(dist, "core", "free-port.js"));
const port = await freeRabbitMqPort();
try {
  execFileSync("bash", [join(repo, "scripts", "rabbitmq.sh"), "start", brokerDir, String(port)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  await makeSources(join(root, "data"));
  const env = {
    ...process.env,
    AZAION_ROOT: root,
    AZAION_QUEUE__HOST: "127.0.0.1",
    AZAION_QUEUE__PORT: String(port),
    AZAION_QUEUE__AMQP_PORT: String(port + 1),
    AZAION_QUEUE_PASSWORD: "",
  };
  const line = (k, v) => console.log(`${k.padEnd(34)} ${v}`);
  line("machine", `${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the start`);
  line("source images", `${count} JPEGs ${WIDTH}x${HEIGHT} (8 outputs each)`);
  // Interleaved rounds, best of each: other work on the machine slows whichever run it meets.
  const runs = {
    "once, 1 thread": (k) => once(root, env, 1, k),
    "once, 2 threads": (k) => once(root, env, 2, k),
    "queue, 1 worker x prefetch 1": (k) => queued(root, env, 1, 1, k),
    "queue, 2 workers x prefetch 1": (k) => queued(root, env, 2, 1, k),
    "queue, 1 worker x prefetch 2": (k) => queued(root, env, 1, 2, k),
  };
  const best = {};
  let want;
  for (let k = 0; k < rounds; k++)
    for (const [name, fn] of Object.entries(runs)) {
      const r = await fn(k);
      const d = digest(r.out);
      want ??= d;
      if (d.hash !== want.hash) throw new Error(`${r.out}: outputs differ from augment --once`);
      rmSync(r.out, { recursive: true, force: true });
      if (!best[name] || r.rate > best[name].rate) best[name] = r;
    }
  for (const [name, r] of Object.entries(best))
    line(
      name,
      `${r.rate.toFixed(2)} source images/s, ${r.cpuMs.toFixed(0)} CPU ms per source image` +
        (r.perWorker ? ` (jobs ${r.perWorker.join(" + ")})` : ""),
    );
  const rate = (name) => best[name].rate;
  line("outputs", `identical in all ${rounds * 5} runs (digest ${want.hash})`);
  let sourceBytes = 0;
  for (const n of readdirSync(join(root, "data", "images")))
    sourceBytes += readFileSync(join(root, "data", "images", n)).length;
  line(
    "bytes per source image",
    `read ${(sourceBytes / count / 1024).toFixed(0)} KiB, written ${(want.bytes / count / 1024).toFixed(0)} KiB in 16 files + 1 record`,
  );
  line(
    "ratio queue 1x1 / once 1 thread",
    (rate("queue, 1 worker x prefetch 1") / rate("once, 1 thread")).toFixed(2),
  );
  line(
    "ratio queue 2x1 / once 2 threads",
    (rate("queue, 2 workers x prefetch 1") / rate("once, 2 threads")).toFixed(2),
  );
  line(
    "ratio queue 1x2 / once 2 threads",
    (rate("queue, 1 worker x prefetch 2") / rate("once, 2 threads")).toFixed(2),
  );
  line(
    "ratio queue 2 workers / 1 worker",
    (rate("queue, 2 workers x prefetch 1") / rate("queue, 1 worker x prefetch 1")).toFixed(2),
  );
  line("ratio once 2 threads / 1 thread", (rate("once, 2 threads") / rate("once, 1 thread")).toFixed(2));
  for (const prefetch of [1, 50]) {
    const b = await brokerThroughput(env, 5000, prefetch);
    line(
      `broker, 5000 jobs, prefetch ${prefetch}`,
      `published (confirmed) ${b.published.toFixed(0)}/s, taken and acked ${b.consumed.toFixed(0)}/s (${b.bytes} B each)`,
    );
  }
  line("load average at the end", loadavg()[0].toFixed(1));
} finally {
  try {
    execFileSync("bash", [join(repo, "scripts", "rabbitmq.sh"), "stop", brokerDir], { stdio: "ignore" });
  } catch {
    // the broker is gone already
  }
  rmSync(brokerDir, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
}
