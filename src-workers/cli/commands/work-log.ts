/**
 * What `augment --worker` and `infer --worker` share on the command line: the worker's events as
 * log lines (one when a job starts, one when it ends, with the jobs done and the rate), and
 * SIGTERM/SIGINT finishing the jobs in flight before the process exits.
 */
import { loadSecrets } from "../../core/secrets.js";
import { RATE_WINDOW_S } from "../../core/status-file.js";
import { amqpOptions } from "../../workq/broker.js";
import type { JobKind, JobOf } from "../../workq/jobs.js";
import { WorkQueueWorker, type WorkerOptions } from "../../workq/worker.js";
import type { CliContext } from "../context.js";

/** Jobs finished in the last RATE_WINDOW_S seconds, per second. */
class JobRate {
  private readonly times: number[] = [];
  private readonly start = Date.now();

  count(): void {
    this.times.push(Date.now());
  }

  perSecond(): number {
    const now = Date.now();
    while (this.times.length > 0 && now - this.times[0]! > RATE_WINDOW_S * 1000) this.times.shift();
    const span = Math.min(RATE_WINDOW_S, Math.max(1, (now - this.start) / 1000));
    return this.times.length / span;
  }
}

export interface QueueWorkerSpec<K extends JobKind> {
  readonly kind: K;
  readonly prefetch: number;
  readonly handle: WorkerOptions<K>["handle"];
  /** A job in a few words, for its log lines. */
  readonly describe: (job: JobOf<K>) => string;
  /** What the "connected" line names besides the queue, the root and the prefetch (the device). */
  readonly setup?: string;
}

/** A worker of queue.<kind>_queue on the configured broker, run until SIGTERM/SIGINT, its events logged. */
export async function runWorker<K extends JobKind>(ctx: CliContext, spec: QueueWorkerSpec<K>): Promise<void> {
  const cfg = ctx.config();
  const queue = cfg.queue[`${spec.kind}_queue`];
  const label = `${spec.kind} worker`;
  const setup = `queue ${queue}, root ${cfg.root}${spec.setup === undefined ? "" : `, ${spec.setup}`}, prefetch ${spec.prefetch}`;
  const worker = new WorkQueueWorker({
    amqp: amqpOptions(cfg, loadSecrets()),
    queue,
    kind: spec.kind,
    prefetch: spec.prefetch,
    retryMaxMs: cfg.queue.retry_max_s * 1000,
    handle: spec.handle,
  });
  const describe = (job: unknown) => spec.describe(job as JobOf<K>);
  const rate = new JobRate();
  const names = new Map<string, string>();
  let done = 0;
  let failed = 0;
  let everConnected = false;
  worker
    .on("connected", (e) => {
      everConnected = true;
      ctx.info(`${label}: connected to ${e.broker} (RabbitMQ ${e.version}); ${setup}`);
    })
    .on("started", (e) => {
      names.set(e.id, describe(e.job));
      const again =
        e.delivery > 1 ? ` (delivery ${e.delivery}: an earlier attempt failed or its worker died)` : "";
      ctx.info(`${label}: job ${e.id} started: ${describe(e.job)}${again}`);
    })
    .on("finished", (e) => {
      const what = names.get(e.id) ?? "";
      names.delete(e.id);
      const secs = (e.ms / 1000).toFixed(2);
      if (e.outcome.kind === "done") {
        done++;
        rate.count();
      } else failed++;
      const tail = `${done} done, ${failed} not, ${rate.perSecond().toFixed(2)} jobs/s`;
      const o = e.outcome;
      if (o.kind === "done") ctx.info(`${label}: job ${e.id} done in ${secs} s: ${what}: ${o.note}; ${tail}`);
      else if (o.kind === "poison")
        ctx.info(`${label}: job ${e.id} refused in ${secs} s: ${what}: ${o.reason}; ${tail}`);
      else ctx.info(`${label}: job ${e.id} failed in ${secs} s (handed back): ${what}: ${o.reason}; ${tail}`);
    })
    .on("deadLettered", (e) =>
      ctx.info(`${label}: dead-lettered ${e.id ?? "a message without an id"}: ${e.reason}`),
    )
    .on("ackLost", (e) =>
      ctx.info(`${label}: job ${e.id}: not settled with the broker (${e.reason}); it comes back`),
    )
    .on("reconnecting", (e) =>
      ctx.info(
        `${label}: ${everConnected ? "broker lost" : "no broker"} (${e.reason}); reconnecting in ${(e.delayMs / 1000).toFixed(1)} s (attempt ${e.attempt})`,
      ),
    );
  const stop = () => {
    ctx.info(`${label}: stopping after the ${worker.busy} job(s) in flight`);
    worker.stop();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  try {
    await worker.run();
    ctx.info(`${label}: stopped; ${done} jobs done, ${failed} not`);
  } finally {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
  }
}
