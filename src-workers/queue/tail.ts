/**
 * The stream's last offset, for the lag (last offset minus ours). RabbitMQ 3.10 has no StreamStats
 * command (3.11+), so we ask the way every version answers: subscribe at `last`, which delivers the
 * stream's last chunk, and take the highest offset in it. An empty stream delivers nothing; after
 * `waitMs` the answer is null.
 */
import { Offset, type Client } from "rabbitmq-stream-js-client";

/** Messages of one chunk arrive back to back: this long without another one ends the chunk. */
const CHUNK_SETTLE_MS = 100;

export async function streamLastOffset(
  client: Client,
  stream: string,
  waitMs = 1500,
): Promise<number | null> {
  let last = -1;
  let settle: NodeJS.Timeout | undefined;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const overall = setTimeout(() => finish(), waitMs);
  const consumer = await client.declareConsumer({ stream, offset: Offset.last() }, (m) => {
    if (m.offset !== undefined) last = Math.max(last, Number(m.offset));
    clearTimeout(settle);
    settle = setTimeout(() => finish(), CHUNK_SETTLE_MS);
  });
  try {
    await done;
  } finally {
    clearTimeout(overall);
    clearTimeout(settle);
    await client.closeConsumer(consumer.extendedId).catch(() => undefined);
  }
  return last < 0 ? null : last;
}
