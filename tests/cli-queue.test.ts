/**
 * `azaion queue` against a real RabbitMQ 3.10 with the stream plugin (started for this file by
 * scripts/rabbitmq.sh): round trips of every status, kill -9 at random moments, a broker restart
 * mid-stream and malformed messages. Each test uses its own stream and data root.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pack } from "msgpackr";
import sharp from "sharp";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { makeJpeg } from "../src-workers/augment/test-support.js";
import { classCatalog } from "../src-workers/core/classes.js";
import { connectBroker, destroyClient, type BrokerOptions } from "../src-workers/queue/broker.js";
import { encodeAnnotation, type AnnotationMessage } from "../src-workers/queue/message.js";
import { publishAll } from "../src-workers/queue/publish.js";
import {
  diskState,
  emptyExpected,
  expectMessage,
  messageSequence,
  plantAugmented,
  tinyJpegs,
  type Expected,
} from "../src-workers/queue/test-support.js";
import { azaion, repoRoot } from "./support/cli.js";
import { useRabbitMq } from "./support/rabbitmq.js";

const broker = useRabbitMq();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const execFileAsync = promisify(execFile);

/** A JPEG of side x side noise: about 3 bytes a pixel at quality 90, whatever the seed. */
function noiseJpeg(seed: number, side: number): Promise<Buffer> {
  const data = Buffer.alloc(side * side * 3);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < data.length; i++) data[i] = ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  return sharp(data, { raw: { width: side, height: side, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}
let streamNo = 0;
const children: ReturnType<typeof spawn>[] = [];
const roots: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});
afterAll(async () => {
  for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
});

async function fresh(): Promise<{ root: string; stream: string; env: NodeJS.ProcessEnv }> {
  const root = await mkdtemp(join(tmpdir(), "azaion-cli-queue-"));
  roots.push(root);
  const stream = `test-${process.pid}-${++streamNo}`;
  return {
    root,
    stream,
    // AZAION_TEST_BUILD (set for the lenient test build) would read as a config key in the CLI.
    env: {
      AZAION_TEST_BUILD: undefined,
      ...broker.env,
      AZAION_ROOT: root,
      AZAION_QUEUE__STREAM: stream,
      AZAION_QUEUE__RETRY_MAX_S: "1",
    },
  };
}

function options(stream: string): BrokerOptions {
  return {
    host: "127.0.0.1",
    port: broker.port,
    vhost: "/",
    user: "guest",
    password: "guest",
    stream,
    heartbeatS: 20,
  };
}

async function publish(stream: string, bodies: Uint8Array[]): Promise<void> {
  const client = await connectBroker(options(stream));
  try {
    expect(await publishAll(client, stream, bodies)).toBe(bodies.length);
  } finally {
    await destroyClient(client);
  }
}

/** `azaion queue consume` as a child process the test can signal. */
function consume(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [join(repoRoot, "bin", "azaion.js"), "queue", "consume"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let log = "";
  child.stdout.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr.on("data", (d: Buffer) => (log += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, exit, log: () => log };
}

async function storedOffset(root: string): Promise<number> {
  try {
    const m = /^offset: (\d+)$/m.exec(await readFile(join(root, "queue", "offset.yaml"), "utf8"));
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

async function waitOffset(root: string, atLeast: number, log: () => string, ms = 180_000): Promise<void> {
  const end = Date.now() + ms;
  while ((await storedOffset(root)) < atLeast) {
    if (Date.now() > end)
      throw new Error(`offset ${await storedOffset(root)} < ${atLeast} after ${ms} ms\n${log()}`);
    await sleep(25);
  }
}

/** Consume until `last`, stop with SIGTERM (exit 0 expected), return the log. */
async function consumeAll(env: NodeJS.ProcessEnv, root: string, last: number): Promise<string> {
  const c = consume(env);
  await waitOffset(root, last, c.log);
  c.child.kill("SIGTERM");
  expect(await c.exit, c.log()).toEqual({ code: 0, signal: null });
  return c.log();
}

async function expectDisk(root: string, expected: Expected): Promise<void> {
  const disk = await diskState(root);
  expect(disk.strays).toEqual([]);
  expect([...disk.files.keys()].sort()).toEqual([...expected.files.keys()].sort());
  for (const [name, e] of expected.files) {
    const d = disk.files.get(name)!;
    expect({ name, folder: d.folder, ext: d.ext, label: d.label }).toEqual({
      name,
      folder: e.folder,
      ext: e.ext,
      label: e.label,
    });
    expect(d.image.equals(e.image), `${name}: image bytes`).toBe(true);
  }
  expect([...disk.augmented].sort()).toEqual([...expected.augmented].sort());
}

// Generous limits: the disk of a shared CI machine can make fsync 20 ms; no assertion depends on speed.
describe("azaion queue", { timeout: 180_000 }, () => {
  it("round-trips 1,000 messages of every status to the expected files", async () => {
    const { root, stream, env } = await fresh();
    const msgs = messageSequence(1000, 150, await tinyJpegs(12), 7);
    for (const s of ["created", "edited", "validated", "deleted"])
      expect(msgs.some((m) => m.status === s)).toBe(true);
    const planted = ["ann-0001", "ann-0002", "ann-0003", "ann-0149"];
    for (const n of planted) await plantAugmented(root, n);
    const expected = emptyExpected(planted);
    for (const m of msgs) expect(expectMessage(expected, m)).toBe(true);
    await publish(stream, msgs.map(encodeAnnotation));

    const before = await azaion(["queue", "status", "--json"], { env });
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ offset: null, lastOffset: 999, lag: 1000 });

    const log = await consumeAll(env, root, 999);
    expect(log).toMatch(/RabbitMQ 3\.10\.\d+\) from offset 0/);
    await expectDisk(root, expected);
    expect((await readdir(join(root, "queue", "quarantine"))).length).toBe(0);

    const after = await azaion(["queue", "status", "--json"], { env });
    expect(JSON.parse(after.stdout)).toMatchObject({ offset: 999, lastOffset: 999, lag: 0, quarantined: 0 });
    const status = JSON.parse(await readFile(join(root, "queue", "status.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({ state: "stopped", offset: 999 });
  });

  it("replays a YOLO folder with queue publish (created, then validated without images)", async () => {
    const { root, env } = await fresh();
    const folder = join(root, "replay");
    await mkdir(join(folder, "images"), { recursive: true });
    await mkdir(join(folder, "labels"), { recursive: true });
    for (let i = 0; i < 4; i++) {
      await writeFile(join(folder, "images", `frame-${i}.jpg`), await makeJpeg(i, 8, 8));
      await writeFile(join(folder, "labels", `frame-${i}.txt`), `${i} 0.5 0.5 0.25 0.25\n`);
    }
    await writeFile(join(folder, "images", "bad.jpg"), await makeJpeg(9, 8, 8));
    await writeFile(join(folder, "labels", "bad.txt"), "93 0.5 0.5 0.1 0.1\n");
    const created = await azaion(["queue", "publish", folder], { env });
    expect(created.code, created.stderr).toBe(1);
    expect(created.stderr).toMatch(/bad\.txt:1 \[class\]/);
    expect(created.stdout).toMatch(/4 messages \(created\) confirmed/);
    const validated = await azaion(["queue", "publish", folder, "--status", "validated", "--no-image"], {
      env,
    });
    expect(validated.stdout).toMatch(/4 messages \(validated\) confirmed/);
    const usage = await azaion(["queue", "publish", folder, "--status", "approved"], { env });
    expect(usage.code).toBe(2);

    await consumeAll(env, root, 7);
    const disk = await diskState(root);
    expect([...disk.files.keys()].sort()).toEqual(["frame-0", "frame-1", "frame-2", "frame-3"]);
    for (const [, e] of disk.files) expect(e.folder).toBe("data");
    expect(disk.files.get("frame-2")!.label).toBe("2 0.500000 0.500000 0.250000 0.250000\n");
    expect(disk.files.get("frame-2")!.image.equals(await makeJpeg(2, 8, 8))).toBe(true);
  });

  it("survives kill -9 at random moments of a 5,000-message run: no loss, no duplicates, no orphans", async () => {
    const { root, stream, env } = await fresh();
    const msgs = messageSequence(5000, 400, await tinyJpegs(16), 11);
    const planted = Array.from({ length: 40 }, (_, i) => `ann-${String(i * 10).padStart(4, "0")}`);
    for (const n of planted) await plantAugmented(root, n);
    const expected = emptyExpected(planted);
    for (const m of msgs) expectMessage(expected, m);
    await publish(stream, msgs.map(encodeAnnotation));

    let kills = 0;
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    while (kills < 6 && (await storedOffset(root)) < 4999 - 100) {
      const c = consume(env);
      // Once it writes, let it run for a random while, then kill it wherever it is.
      await waitOffset(root, (await storedOffset(root)) + 1, c.log);
      await sleep(rnd() * 600);
      c.child.kill("SIGKILL");
      await c.exit;
      kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(4);
    await consumeAll(env, root, 4999);
    await expectDisk(root, expected);
    expect(await readdir(join(root, "queue", "quarantine"))).toEqual([]);
  }, 300_000);

  it("reconnects after a broker restart mid-stream (the broker killed, then started) and loses nothing", async () => {
    const { root, stream, env } = await fresh();
    const msgs = messageSequence(2000, 200, await tinyJpegs(8), 3);
    const expected = emptyExpected();
    for (const m of msgs) expectMessage(expected, m);
    await publish(stream, msgs.map(encodeAnnotation));
    const c = consume(env);
    await waitOffset(root, 100, c.log);
    await broker.crash();
    expect(await storedOffset(root)).toBeLessThan(1999);
    await sleep(1000);
    await broker.start();
    await waitOffset(root, 1999, c.log, 120_000);
    c.child.kill("SIGTERM");
    expect(await c.exit, c.log()).toEqual({ code: 0, signal: null });
    expect(c.log()).toMatch(/reconnecting in/);
    expect(c.log().match(/from offset \d+/g)!.length).toBeGreaterThanOrEqual(2);
    await expectDisk(root, expected);
    const status = JSON.parse(await readFile(join(root, "queue", "status.json"), "utf8")) as {
      reconnects: number;
    };
    expect(status.reconnects).toBeGreaterThanOrEqual(1);
  }, 300_000);

  it("detects a silent broker (frozen, as behind a network cut) and reconnects when it answers again", async () => {
    const { root, stream, env } = await fresh();
    const msgs = messageSequence(800, 100, await tinyJpegs(4), 5);
    const expected = emptyExpected();
    for (const m of msgs) expectMessage(expected, m);
    await publish(stream, msgs.map(encodeAnnotation));
    const c = consume({ ...env, AZAION_QUEUE__HEARTBEAT_S: "1" });
    await waitOffset(root, 100, c.log);
    await broker.freeze(true);
    try {
      const end = Date.now() + 30_000;
      while (!/did not answer/.test(c.log())) {
        if (Date.now() > end) throw new Error(`the silence went unnoticed\n${c.log()}`);
        await sleep(50);
      }
      expect(await storedOffset(root)).toBeLessThan(799);
    } finally {
      await broker.freeze(false);
    }
    await waitOffset(root, 799, c.log);
    c.child.kill("SIGTERM");
    expect(await c.exit, c.log()).toEqual({ code: 0, signal: null });
    await expectDisk(root, expected);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "pauses on a full disk, keeps the offset, and goes on when there is room again (tmpfs, as root)",
    async () => {
      const { root, stream, env } = await fresh();
      await execFileAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", root]);
      try {
        // Noise does not compress: 40 JPEGs of ~80 KB cannot fit in 1 MiB.
        const images = await Promise.all(Array.from({ length: 40 }, (_, i) => noiseJpeg(i, 192)));
        const expected = emptyExpected();
        const msgs = images.map((image, i) => ({
          ...messageSequence(1, 1, [image], i)[0]!,
          name: `big-${i}`,
          status: "created" as const,
          image,
        }));
        for (const m of msgs) expectMessage(expected, m);
        await publish(stream, msgs.map(encodeAnnotation));
        const c = consume(env);
        const end = Date.now() + 30_000;
        while (!/disk full \(ENOSPC\)/.test(c.log())) {
          if (Date.now() > end) throw new Error(`no pause for a full disk\n${c.log()}`);
          await sleep(50);
        }
        const held = await storedOffset(root);
        expect(held).toBeLessThan(39);
        await sleep(1500);
        expect(await storedOffset(root)).toBe(held);
        await execFileAsync("mount", ["-o", "remount,size=64m", root]);
        await waitOffset(root, 39, c.log);
        c.child.kill("SIGTERM");
        expect(await c.exit, c.log()).toEqual({ code: 0, signal: null });
        await expectDisk(root, expected);
        expect(await readdir(join(root, "queue", "quarantine"))).toEqual([]);
      } finally {
        for (const ch of children) if (ch.exitCode === null) ch.kill("SIGKILL");
        await sleep(200);
        await execFileAsync("umount", ["-l", root]).catch(() => undefined);
      }
    },
  );

  it("quarantines malformed messages of each kind with offset and reason, and goes on", async () => {
    const { root, stream, env } = await fresh();
    const jpeg = await makeJpeg(1, 8, 8);
    const png = await sharp(jpeg).png().toBuffer();
    const good = (over: Partial<AnnotationMessage>): AnnotationMessage => ({
      name: "ok-1",
      originalMediaName: "flight.mp4",
      time: 1200,
      imageExtension: ".jpg",
      detections: [{ classId: 3, cx: 0.5, cy: 0.5, w: 0.2, h: 0.2 }],
      image: jpeg,
      createdDate: new Date("2026-01-02T03:04:05Z"),
      createdEmail: "a@example.com",
      createdRole: 1,
      source: "manual",
      status: "created",
      ...over,
    });
    const fields = (m: AnnotationMessage) =>
      (pack as (v: unknown) => Buffer)([
        m.name,
        m.originalMediaName,
        "12 s",
        m.imageExtension,
        [],
        m.image,
        m.createdDate,
        m.createdEmail,
        m.createdRole,
        1,
        0,
      ]);
    const cases: [Uint8Array, RegExp | null][] = [
      [encodeAnnotation(good({})), null],
      [Buffer.from([0xc1, 0x00]), /^not MessagePack/],
      [Buffer.from("this is not MessagePack at all"), /^not MessagePack/],
      [pack(["ok-1", "flight.mp4", 1]), /^wrong arity: 3 fields, expected at least 11/],
      [pack({ name: "ok-1" }), /^not a positional array: the message is a map/],
      [fields(good({})), /^field 2 \(time\): .*string "12 s"/],
      [
        encodeAnnotation(good({ image: Buffer.concat([jpeg.subarray(0, 40), Buffer.alloc(60, 7)]) })),
        /^undecodable image/,
      ],
      [
        encodeAnnotation(good({ image: Buffer.from("GIF89a not what we take") })),
        /^undecodable image: not a JPEG/,
      ],
      [encodeAnnotation(good({ image: png })), /image is png but imageExtension is "\.jpg"/],
      [
        encodeAnnotation(good({ detections: [{ classId: 93, cx: 0.5, cy: 0.5, w: 0.1, h: 0.1 }] })),
        /detections\) \[0\]: .*93/,
      ],
      [
        encodeAnnotation(good({ detections: [{ classId: 17, cx: 0.5, cy: 0.5, w: 0.1, h: 0.1 }] })),
        /detections\) \[0\]: .*17/,
      ],
      [
        encodeAnnotation(good({ detections: [{ classId: 1, cx: 1.7, cy: 0.5, w: 0.1, h: 0.1 }] })),
        /cx 1\.7 is outside 0-1/,
      ],
      [encodeAnnotation(good({ name: "../evil" })), /^field 0 \(name\)/],
      [
        encodeAnnotation(good({ name: "ghost", image: null, status: "validated" })),
        /without an image, and no image is stored for "ghost"/,
      ],
      [encodeAnnotation(good({ image: null, status: "edited", detections: [] })), null],
      [encodeAnnotation(good({ name: "never-seen", image: null, status: "deleted" })), null],
    ];
    expect(classCatalog().whyInvalid(17)).toBeDefined();
    await publish(
      stream,
      cases.map(([b]) => b),
    );
    const log = await consumeAll(env, root, cases.length - 1);

    const quarantine = join(root, "queue", "quarantine");
    for (const [offset, [body, reason]] of cases.entries()) {
      const stem = String(offset).padStart(16, "0");
      if (reason === null) {
        expect(existsSync(join(quarantine, `${stem}.json`)), `offset ${offset}`).toBe(false);
        continue;
      }
      const entry = JSON.parse(await readFile(join(quarantine, `${stem}.json`), "utf8")) as {
        offset: number;
        reason: string;
        stream: string;
      };
      expect(entry.offset).toBe(offset);
      expect(entry.stream).toBe(stream);
      expect(entry.reason, `offset ${offset}`).toMatch(reason);
      expect((await readFile(join(quarantine, `${stem}.bin`))).equals(Buffer.from(body))).toBe(true);
      expect(log).toContain(`quarantined: offset ${offset}`);
    }
    const disk = await diskState(root);
    expect([...disk.files.keys()]).toEqual(["ok-1"]);
    expect(disk.files.get("ok-1")).toMatchObject({ folder: "data-seed", label: "" });
    const st = await azaion(["queue", "status", "--json"], { env });
    expect(JSON.parse(st.stdout)).toMatchObject({ offset: cases.length - 1, lag: 0, quarantined: 13 });
  });
});
