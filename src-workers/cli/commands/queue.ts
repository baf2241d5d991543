/**
 * `azaion queue consume|publish|status`: the annotation queue (RabbitMQ Streams). The work is in
 * src-workers/queue/; this file is options, signals and what goes to the log.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { UsageError, errorMessage } from "../../core/errors.js";
import { dataRootLayout } from "../../core/layout.js";
import { loadSecrets } from "../../core/secrets.js";
import {
  brokerOptions,
  connectBroker,
  describeBroker,
  destroyClient,
  type BrokerOptions,
} from "../../queue/broker.js";
import { AnnotationConsumer } from "../../queue/consumer.js";
import { folderMessages, listFolderImages } from "../../queue/folder-messages.js";
import {
  ANNOTATION_SOURCES,
  ANNOTATION_STATUSES,
  type AnnotationSource,
  type AnnotationStatus,
} from "../../queue/message.js";
import { readOffset } from "../../queue/offset.js";
import { publishAll } from "../../queue/publish.js";
import { quarantineCount } from "../../queue/quarantine.js";
import { queuePaths, type QueueStatus } from "../../queue/status.js";
import { streamLastOffset } from "../../queue/tail.js";
import type { CliContext } from "../context.js";

const CONSUME_HELP = `
For every message of the stream, in order (DESIGN.md "Annotation message"):
  created, edited -> <root>/data-seed/images/<name><ext> + labels/<name>.txt
  validated       -> <root>/data/... (and out of data-seed/)
  deleted         -> removed from data/, data-seed/ and its augmented copies in data-processed/
A message without an image keeps the picture already stored for its name.
Bookkeeping in <root>/queue/: offset.yaml (last message on disk; a restart resumes after it),
quarantine/<offset>.json + .bin (messages that could not be used, with the reason), status.json
(for the UI), lock.

Files are fsynced before the offset is stored, so a crash (even kill -9 or power loss) repeats at
most one message, and repeating a message gives the same files. A lost broker is reconnected with
backoff; a full disk pauses consumption on the current message and retries.
Password: AZAION_QUEUE_PASSWORD or the secrets file; without one, user guest uses guest (loopback only).

Exit status: 0 after SIGTERM or SIGINT (the message in flight is finished first); 1 fatal error
(authentication, another consumer on this root, a damaged offset.yaml); 2 wrong usage.`;

export function registerQueue(program: Command, ctx: CliContext): void {
  const queue = program
    .command("queue")
    .description("the annotation queue (RabbitMQ Streams): consume, publish, status");

  queue
    .command("consume")
    .description("run the consumer: write every annotation message of the stream to the data root")
    .option("--stream <name>", "stream to read (default: config queue.stream)")
    .addHelpText("after", CONSUME_HELP)
    .action(async (flags: { stream?: string }) => {
      const broker = brokerFrom(ctx, flags.stream);
      await consume(ctx, broker);
    });

  queue
    .command("publish <folder>")
    .description("replay a YOLO folder (images/ + labels/) as annotation messages, one per image")
    .option("--status <status>", `message status: ${ANNOTATION_STATUSES.join(", ")}`, "created")
    .option("--no-image", "leave the image out (an edit or validation that keeps the stored picture)")
    .option("--email <email>", "createdEmail of the messages", "")
    .option("--role <n>", "createdRole of the messages (whole number)", "0")
    .option("--source <source>", `source of the messages: ${ANNOTATION_SOURCES.join(", ")}`, "manual")
    .option("--stream <name>", "stream to write (default: config queue.stream)")
    .action(async (folder: string, flags: PublishFlags) => {
      const status = oneOf("--status", flags.status, ANNOTATION_STATUSES);
      const source = oneOf("--source", flags.source, ANNOTATION_SOURCES);
      if (!/^-?\d+$/.test(flags.role))
        throw new UsageError(`--role: expected a whole number, got "${flags.role}"`);
      const broker = brokerFrom(ctx, flags.stream);
      await publish(ctx, broker, resolve(folder), {
        status,
        source,
        withImage: flags.image,
        email: flags.email,
        role: Number(flags.role),
      });
    });

  queue
    .command("status")
    .description("the consumer's offset, the stream's last offset, the lag and the rate")
    .option("--stream <name>", "stream to ask about (default: config queue.stream)")
    .option("--json", "print one JSON object")
    .action(async (flags: { stream?: string; json?: boolean }) => {
      await status(ctx, brokerFrom(ctx, flags.stream), flags.json === true);
    });
}

interface PublishFlags {
  readonly status: string;
  readonly image: boolean;
  readonly email: string;
  readonly role: string;
  readonly source: string;
  readonly stream?: string;
}

function brokerFrom(ctx: CliContext, stream: string | undefined): BrokerOptions {
  const b = brokerOptions(ctx.config(), loadSecrets());
  if (stream !== undefined && stream.trim() === "") throw new UsageError("--stream: empty name");
  return stream === undefined ? b : { ...b, stream };
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag}: expected one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

/** Progress: a line every LOG_EVERY_MS while messages flow, and one per notable event. */
const LOG_EVERY_MS = 5000;

async function consume(ctx: CliContext, broker: BrokerOptions): Promise<void> {
  const layout = dataRootLayout(ctx.config().root);
  const consumer = new AnnotationConsumer({
    broker,
    layout,
    catalog: ctx.catalog(),
    retryMaxMs: ctx.config().queue.retry_max_s * 1000,
  });
  let busy = false;
  consumer
    .on("connected", (e) =>
      ctx.info(
        `queue: consuming "${broker.stream}" on ${describeBroker(broker)} (RabbitMQ ${e.brokerVersion}) from offset ${e.from}`,
      ),
    )
    .on("written", (e) => {
      busy = true;
      for (const w of e.warnings) ctx.info(`warning: offset ${e.offset} (${e.name}): ${w}`);
    })
    .on("quarantined", (e) => {
      busy = true;
      ctx.info(`quarantined: offset ${e.offset}${e.name === null ? "" : ` (${e.name})`}: ${e.reason}`);
    })
    .on("reconnecting", (e) =>
      ctx.info(
        `queue: ${e.reason}; reconnecting in ${(e.delayMs / 1000).toFixed(1)} s (attempt ${e.attempt})`,
      ),
    )
    .on("paused", (e) =>
      ctx.info(
        `queue: paused at offset ${e.offset}: ${e.reason}; retrying in ${(e.delayMs / 1000).toFixed(1)} s`,
      ),
    )
    .on("error", (e) => ctx.info(`error: ${e.reason}`));
  await consumer.start();
  const stop = () => {
    ctx.info("queue: stopping after the message in flight");
    void consumer.stop();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  const timer = setInterval(() => {
    if (!busy) return;
    busy = false;
    ctx.info(progressLine(consumer.status));
  }, LOG_EVERY_MS);
  try {
    await consumer.done();
  } finally {
    clearInterval(timer);
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
  }
  const s = consumer.status;
  const secs = (Date.now() - Date.parse(s.startedAt)) / 1000;
  ctx.out(
    `queue: ${s.written} written, ${s.deleted} deleted, ${s.quarantined} quarantined, offset ${s.offset ?? "none"}, ` +
      `${s.reconnects} reconnections; ${secs.toFixed(1)} s, ${((s.written + s.deleted + s.quarantined) / Math.max(secs, 1e-3)).toFixed(1)} messages/s`,
  );
}

function progressLine(s: Readonly<QueueStatus>): string {
  return `queue: offset ${s.offset ?? "none"}, ${s.written} written, ${s.deleted} deleted, ${s.quarantined} quarantined, ${s.messagesPerSecond.toFixed(1)} messages/s`;
}

async function publish(
  ctx: CliContext,
  broker: BrokerOptions,
  folder: string,
  opts: {
    status: AnnotationStatus;
    source: AnnotationSource;
    withImage: boolean;
    email: string;
    role: number;
  },
): Promise<void> {
  const names = await listFolderImages(folder);
  const log = ctx.problemLog();
  const bar = ctx.progress(`publish ${opts.status}`, names.length, "msg");
  const client = await connectBroker(broker);
  try {
    const confirmed = await publishAll(
      client,
      broker.stream,
      folderMessages(folder, names, ctx.catalog(), opts, (p) => log.add(p)),
      { onConfirmed: (n) => bar.set(n) },
    );
    bar.finish();
    ctx.out(
      `publish: ${confirmed} messages (${opts.status}) confirmed by "${broker.stream}" on ${describeBroker(broker)}`,
    );
  } finally {
    await destroyClient(client);
  }
  ctx.summarise(log, "publish");
}

async function status(ctx: CliContext, broker: BrokerOptions, json: boolean): Promise<void> {
  const paths = queuePaths(dataRootLayout(ctx.config().root).queueOffset);
  const stored = await readOffset(paths.offset, broker.stream);
  const service = await readServiceStatus(paths.status);
  let last: number | null = null;
  let brokerError: string | null = null;
  try {
    const client = await connectBroker(broker, 10_000);
    try {
      last = await streamLastOffset(client, broker.stream);
    } finally {
      await destroyClient(client);
    }
  } catch (e) {
    brokerError = errorMessage(e);
  }
  const offset = stored?.offset ?? null;
  const lag = last === null ? (brokerError === null ? 0 : null) : last - (offset ?? -1);
  const result = {
    stream: broker.stream,
    broker: describeBroker(broker),
    offset,
    lastOffset: last,
    lag,
    quarantined: await quarantineCount(paths.quarantine),
    consumer: service,
    brokerError,
  };
  if (json) ctx.out(JSON.stringify(result));
  else {
    ctx.out(`stream       ${result.stream} on ${result.broker}`);
    ctx.out(
      `offset       ${offset ?? "none (nothing consumed yet)"}${stored ? ` (stored ${stored.updated})` : ""}`,
    );
    ctx.out(
      `last offset  ${brokerError !== null ? `unknown: ${brokerError}` : (last ?? "none (the stream is empty)")}`,
    );
    ctx.out(`lag          ${lag ?? "unknown"} messages`);
    ctx.out(`quarantined  ${result.quarantined} messages (${paths.quarantine})`);
    ctx.out(
      service === null
        ? "consumer     not running"
        : `consumer     ${service.state}, pid ${service.pid}, ${service.messagesPerSecond} messages/s` +
            (service.waitingFor ? `, waiting: ${service.waitingFor}` : ""),
    );
  }
  if (brokerError !== null) process.exitCode = 1;
}

/** The fields of status.json this command shows (the file is another process's output: validated). */
const serviceStatusSchema = z
  .object({
    state: z.string(),
    pid: z.number().int().positive(),
    messagesPerSecond: z.number(),
    waitingFor: z.string().nullable(),
  })
  .loose();
type ServiceStatus = z.infer<typeof serviceStatusSchema>;

/** status.json of a consumer that is still running (its pid alive), else null. */
async function readServiceStatus(file: string): Promise<ServiceStatus | null> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch {
    return null;
  }
  const parsed = serviceStatusSchema.safeParse(raw);
  if (!parsed.success) return null;
  const s = parsed.data;
  if (s.state === "stopped" || s.state === "failed") return null;
  try {
    process.kill(s.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  return s;
}
