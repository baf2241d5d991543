/**
 * Publishing jobs: persistent messages on a confirm channel, so "submitted" means every job is on
 * the broker's disk (a quorum queue confirms once a majority of its replicas has written it). The
 * channel's write buffer is honoured (a full one waits for "drain"), so a million jobs never sit in
 * this process's memory at once.
 */
import type { ConfirmChannel } from "amqplib";
import { type AmqpOptions, closeQuietly, connectAmqp, declareWorkQueue } from "./broker.js";
import { encodeJob, type AugmentJob, type InferJob } from "./jobs.js";

/** Confirms awaited after this many jobs, bounding what is unconfirmed at once. */
const CONFIRM_EVERY = 500;

export async function submitJobs(
  o: AmqpOptions,
  queue: string,
  jobs: Iterable<AugmentJob | InferJob>,
  onBatch?: (sent: number) => void,
): Promise<number> {
  const conn = await connectAmqp(o, "submit");
  try {
    const ch = await conn.createConfirmChannel();
    await declareWorkQueue(ch, queue, o.deliveryLimit);
    let sent = 0;
    for (const job of jobs) {
      await send(ch, queue, job);
      sent++;
      if (sent % CONFIRM_EVERY === 0) {
        await ch.waitForConfirms();
        onBatch?.(sent);
      }
    }
    await ch.waitForConfirms();
    await ch.close();
    return sent;
  } finally {
    await closeQuietly(conn);
  }
}

async function send(ch: ConfirmChannel, queue: string, job: AugmentJob | InferJob): Promise<void> {
  const ok = ch.sendToQueue(queue, encodeJob(job), {
    persistent: true,
    contentType: "application/json",
    messageId: job.id,
    type: `azaion.${job.type}.v${job.v}`,
    timestamp: Math.floor(Date.now() / 1000),
  });
  if (!ok) await new Promise<void>((resolve) => ch.once("drain", resolve));
}
