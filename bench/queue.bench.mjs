// Annotation queue speed, against the built dist/ (npm run build first):
//   node bench/queue.bench.mjs [count=1000]
// Starts a private RabbitMQ (scripts/rabbitmq.sh, loopback, free ports), publishes `count` "created"
// messages with ~50 KB JPEGs, then measures in the same run:
//   consumed: messages/s from subscribe to the last offset stored, files fsynced (the real consumer);
//   decode:   messages/s of MessagePack decode + schema validation alone (message.ts), the ceiling;
// and prints consumed/decode: how much of the time goes to the image check, the disk and the broker.
import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist", "src-workers");
if (!existsSync(join(dist, "queue", "consumer.js"))) {
  process.stderr.write(`not built: run 'npm run build' in ${root}\n`);
  process.exit(1);
}
const count = Number(process.argv[2] ?? 1000);
const IMAGE_BYTES = 50_000;
const DISTINCT_IMAGES = 8;

const { AnnotationConsumer } = await import(join(dist, "queue", "consumer.js"));
const { connectBroker, destroyClient } = await import(join(dist, "queue", "broker.js"));
const { decodeAnnotation, encodeAnnotation } = await import(join(dist, "queue", "message.js"));
const { publishAll } = await import(join(dist, "queue", "publish.js"));
const { dataRootLayout } = await import(join(dist, "core", "layout.js"));
const { classCatalog } = await import(join(dist, "core", "classes.js"));

/** A noisy JPEG of about `bytes` (noise does not compress, so the size follows the pixel count). */
async function jpegOfSize(seed, bytes) {
  let side = 128;
  for (;;) {
    const data = Buffer.alloc(side * side * 3);
    let s = seed * 2654435761;
    for (let i = 0; i < data.length; i++) data[i] = ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255;
    const jpeg = await sharp(data, { raw: { width: side, height: side, channels: 3 } })
      .jpeg({ quality: 85 })
      .toBuffer();
    if (jpeg.length >= bytes * 0.9) return jpeg;
    side = Math.ceil(side * Math.sqrt(bytes / jpeg.length));
  }
}

const work = mkdtempSync(join(tmpdir(), "azaion-queue-bench-"));
const brokerDir = join(work, "broker");
const { freeRabbitMqPort } = await import(join(dist, "core", "free-port.js"));
const port = await freeRabbitMqPort();
const script = join(root, "scripts", "rabbitmq.sh");
execFileSync("bash", [script, "start", brokerDir, String(port)], { stdio: ["ignore", "ignore", "inherit"] });
try {
  const catalog = classCatalog();
  const images = [];
  for (let i = 0; i < DISTINCT_IMAGES; i++) images.push(await jpegOfSize(i + 1, IMAGE_BYTES));
  const bodies = [];
  for (let i = 0; i < count; i++) {
    bodies.push(
      encodeAnnotation({
        name: `frame-${String(i).padStart(6, "0")}`,
        originalMediaName: "flight-0001.mp4",
        time: i * 40,
        imageExtension: ".jpg",
        detections: [
          { classId: 1, cx: 0.4, cy: 0.5, w: 0.1, h: 0.08 },
          { classId: 26, cx: 0.6, cy: 0.3, w: 0.05, h: 0.12, confidence: 0.91 },
        ],
        image: images[i % DISTINCT_IMAGES],
        createdDate: new Date(),
        createdEmail: "annotator@example.com",
        createdRole: 1,
        source: "manual",
        status: "created",
      }),
    );
  }
  const avgKb = bodies.reduce((a, b) => a + b.length, 0) / bodies.length / 1000;
  const broker = {
    host: "127.0.0.1",
    port,
    vhost: "/",
    user: "guest",
    password: "guest",
    stream: "bench",
    heartbeatS: 20,
  };
  const client = await connectBroker(broker);
  await publishAll(client, broker.stream, bodies);
  await destroyClient(client);

  // Consume to disk with the real consumer (fsync on), timed from start to the last stored offset.
  const dataRoot = join(work, "root");
  const consumer = new AnnotationConsumer({
    broker,
    layout: dataRootLayout(dataRoot),
    catalog,
    retryMaxMs: 1000,
  });
  const t0 = performance.now();
  await consumer.start();
  while ((consumer.status.offset ?? -1) < count - 1) await sleep(5);
  const consumeS = (performance.now() - t0) / 1000;
  await consumer.stop();
  const consumed = count / consumeS;

  // Decode + validate only, over the same bodies (several rounds for a stable figure).
  const rounds = Math.max(1, Math.ceil(20_000 / count));
  let bad = 0;
  const t1 = performance.now();
  for (let r = 0; r < rounds; r++) for (const b of bodies) if (!decodeAnnotation(b, catalog).ok) bad++;
  const decodeS = (performance.now() - t1) / 1000;
  if (bad > 0) throw new Error(`${bad} bodies did not decode`);
  const decoded = (rounds * count) / decodeS;

  console.log(
    `queue bench: ${count} messages of ${avgKb.toFixed(1)} KB (JPEG ~${IMAGE_BYTES / 1000} KB), RabbitMQ ${port}`,
  );
  console.log(
    `  consumed to disk (decode, image check, write, fsync, offset): ${consumed.toFixed(0)} messages/s (${((consumeS * 1000) / count).toFixed(2)} ms each, ${((consumed * avgKb) / 1000).toFixed(1)} MB/s)`,
  );
  console.log(
    `  decode + validate only:                                       ${decoded.toFixed(0)} messages/s (${((decodeS * 1e6) / (rounds * count)).toFixed(1)} us each)`,
  );
  console.log(`  ratio consumed/decode: ${(consumed / decoded).toFixed(4)}`);
} finally {
  execFileSync("bash", [script, "stop", brokerDir], { stdio: "ignore" });
  rmSync(work, { recursive: true, force: true });
}
