/**
 * `azaion augment --submit` and `--worker` end to end: real RabbitMQ (quorum queues over AMQP), real
 * worker processes on one temporary data root. The outputs must equal `augment --once` on the same
 * sources, byte for byte, whatever happens to the workers (kill -9 mid-job, SIGTERM mid-job) or the
 * broker (a restart), and bad jobs must end in the dead queue with their reason.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOX, putSource } from "../src-workers/augment/test-support.js";
import { azaion } from "./support/cli.js";
import { useRabbitMq } from "./support/rabbitmq.js";
import { amqpView, captures, lsOrEmpty, startAzaion, until, type Proc } from "./support/workq.js";

const broker = useRabbitMq();
const QUEUE = "azaion-augment";

let dir: string;
let root: string;
let ref: string;
let view: Awaited<ReturnType<typeof amqpView>>;
const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...broker.env, AZAION_ROOT: root, ...extra });
const processed = () => join(root, "data-processed");
const workDir = () => join(processed(), ".augment", "work");

/** Every source the tests add, by number: the reference set is made from all of them at once. */
const SOURCES = [...range(0, 8), ...range(20, 3), 30, 40, 50, 51];
const stemOf = (n: number) => `src${String(n).padStart(3, "0")}`;
let want: Map<string, Buffer>;

function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "azaion-workq-augment-"));
  root = join(dir, "root");
  ref = join(dir, "ref");
  view = await amqpView(broker.port + 1);
  // The reference: `augment --once` over the same sources (same stems, same bytes) in another folder.
  for (const n of SOURCES) await putSource(join(dir, "all"), stemOf(n), n, BOX);
  const r = await azaion(["augment", "--once", "--source", join(dir, "all"), "--out", ref, "--workers", "2"]);
  expect(r.code, r.stderr).toBe(0);
  want = await snapshot(ref);
});
afterAll(async () => {
  await view?.close();
  await rm(dir, { recursive: true, force: true });
});

async function addSources(numbers: readonly number[]): Promise<string[]> {
  for (const n of numbers) await putSource(join(root, "data"), stemOf(n), n, BOX);
  return numbers.map(stemOf);
}

async function snapshot(out: string): Promise<Map<string, Buffer>> {
  const m = new Map<string, Buffer>();
  for (const sub of ["images", "labels"])
    for (const n of await lsOrEmpty(join(out, sub))) m.set(`${sub}/${n}`, await readFile(join(out, sub, n)));
  return m;
}

/** data-processed/ holds exactly the reference's outputs of the sources in data/, byte for byte. */
async function expectSameAsOnce(): Promise<void> {
  const stems = new Set((await lsOrEmpty(join(root, "data", "images"))).map((n) => n.replace(/\.jpg$/, "")));
  const expected = [...want].filter(([k]) => stems.has(k.replace(/^\w+\/(\w+)_aug\d\.\w+$/, "$1")));
  expect(expected.length).toBe(stems.size * 16);
  const got = await snapshot(processed());
  expect([...got.keys()].sort()).toEqual(expected.map(([k]) => k).sort());
  for (const [k, v] of expected) expect(got.get(k)?.equals(v), k).toBe(true);
  // Nothing temporary left anywhere: no job folders, no service temporaries.
  expect(await lsOrEmpty(workDir())).toEqual([]);
  expect(await lsOrEmpty(join(processed(), ".augment", "tmp"))).toEqual([]);
}

async function submit(expected: number): Promise<void> {
  const r = await azaion(["augment", "--submit"], { env: env() });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(`augment: ${expected} jobs submitted to ${QUEUE}`);
}

async function worker(extra: NodeJS.ProcessEnv = {}): Promise<Proc> {
  const w = startAzaion(["augment", "--worker"], env(extra));
  await w.waitFor(/augment worker: connected to amqp/);
  return w;
}

async function stop(w: Proc): Promise<void> {
  w.child.kill("SIGTERM");
  expect((await w.exit).code, w.log()).toBe(0);
}

const DONE = /augment worker: job \w+ done in [\d.]+ s: data\/images\/(\w+)\.jpg/;

describe("augment work queue", () => {
  it("spreads N jobs over 2 workers: every output exactly once, equal to augment --once", async () => {
    const stems = await addSources(range(0, 8));
    const [a, b] = await Promise.all([worker(), worker()]);
    await submit(8);
    await until(() => captures(a.log() + b.log(), DONE).length >= 8);
    await Promise.all([stop(a), stop(b)]);
    const done = captures(a.log() + b.log(), DONE).sort();
    expect(done).toEqual(stems);
    // Prefetch 1 and both consuming before the jobs came: each took some.
    expect(captures(a.log(), DONE).length).toBeGreaterThan(0);
    expect(captures(b.log(), DONE).length).toBeGreaterThan(0);
    await expectSameAsOnce();
    expect(await view.depth(QUEUE)).toBe(0);
    // Submitting again finds everything up to date (content hashes in the records).
    const again = await azaion(["augment", "--submit"], { env: env() });
    expect(again.stdout).toContain("augment: 0 jobs submitted to azaion-augment; 8 up to date");
  });

  it("redelivers the job of a worker killed (-9) mid-job to another: complete, correct, no leftovers", async () => {
    const stems = await addSources(range(20, 3));
    const slow = await worker({ AZAION_TEST_JOB_DELAY_MS: "60000" });
    await submit(3);
    // The slow worker holds the first job, its variants 0-3 written to the job's temporary folder.
    let jobDir = "";
    await until(async () => {
      for (const id of await lsOrEmpty(workDir()))
        if ((await lsOrEmpty(join(workDir(), id))).length > 0) jobDir = id;
      return jobDir !== "";
    });
    slow.child.kill("SIGKILL");
    expect((await slow.exit).signal).toBe("SIGKILL");
    expect((await lsOrEmpty(join(workDir(), jobDir))).length).toBeGreaterThan(0);
    const fast = await worker();
    await until(() => captures(fast.log(), DONE).length >= 3);
    await stop(fast);
    expect(captures(fast.log(), DONE).sort()).toEqual(stems);
    expect(fast.log()).toMatch(new RegExp(`job ${jobDir} started: .*\\(delivery 2: `));
    await expectSameAsOnce();
    expect(await view.depth(QUEUE)).toBe(0);
  });

  it("finishes the job in flight on SIGTERM, acks it and exits 0", async () => {
    const [stem] = await addSources([30]);
    const w = await worker({ AZAION_TEST_JOB_DELAY_MS: "1500" });
    await submit(1);
    await until(async () => (await lsOrEmpty(workDir())).length > 0);
    w.child.kill("SIGTERM");
    expect((await w.exit).code, w.log()).toBe(0);
    expect(captures(w.log(), DONE)).toEqual([stem]);
    expect(w.log()).toMatch(/stopping after the 1 job\(s\) in flight/);
    expect(await view.depth(QUEUE)).toBe(0);
    await expectSameAsOnce();
  });

  it("dead-letters malformed jobs and bad sources with the reason, and goes on", async () => {
    const w = await worker();
    await view.publishRaw(QUEUE, Buffer.from("this is not json {"));
    const job = { type: "augment", v: 1, id: "outside0001", out: "data-processed", image: "x.jpg", seed: 0 };
    await view.publishRaw(QUEUE, Buffer.from(JSON.stringify({ ...job, source: "../elsewhere" })));
    await view.publishRaw(QUEUE, Buffer.from(JSON.stringify({ ...job, source: "data", seed: -1 })));
    // A source that is no image: the job runs and is refused with the decoder's reason.
    await mkdir(join(root, "data", "images"), { recursive: true });
    await writeFile(join(root, "data", "images", "broken.jpg"), Buffer.from("no jpeg here"));
    const [good] = await addSources([40]);
    await submit(2);
    await until(() => captures(w.log(), DONE).includes(good!));
    await until(async () => (await view.depth(`${QUEUE}.dead`)) >= 4);
    await stop(w);
    const dead = await view.drain(`${QUEUE}.dead`);
    const reasons = dead.map((d) => d.reason).sort();
    expect(reasons).toHaveLength(4);
    expect(reasons.some((r) => /^the message is not JSON/.test(r))).toBe(true);
    expect(reasons.some((r) => /source: must stay inside the data root/.test(r))).toBe(true);
    expect(reasons.some((r) => /seed: /.test(r))).toBe(true);
    expect(reasons.some((r) => /broken\.jpg: /.test(r))).toBe(true);
    expect(dead.every((d) => d.headers["x-azaion-queue"] === QUEUE)).toBe(true);
    await rm(join(root, "data", "images", "broken.jpg"));
    await expectSameAsOnce();
  });

  it("survives a broker crash and restart: reconnects and takes the jobs submitted after it", async () => {
    // Backoff capped at 1 s (queue.retry_max_s), so the test waits for the broker, not for the backoff.
    const w = await worker({ AZAION_QUEUE__RETRY_MAX_S: "1" });
    await broker.crash();
    await w.waitFor(/augment worker: broker lost/);
    await broker.start();
    await until(() => captures(w.log(), /augment worker: (connected) to amqp/).length === 2);
    const stems = await addSources([50, 51]);
    await submit(2);
    await until(() => stems.every((s) => captures(w.log(), DONE).includes(s)));
    await stop(w);
    await expectSameAsOnce();
  });
});
