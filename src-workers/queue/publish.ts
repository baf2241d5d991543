/**
 * Publishing annotation messages, with confirmation: the stream is created when missing, every
 * message is sent, and publish() resolves only when the broker confirmed each one (or rejects
 * naming how many were not). The number of unconfirmed messages is bounded, so replaying a large
 * folder holds only a window of it in memory.
 */
import type { Client } from "rabbitmq-stream-js-client";
import { AzaionError } from "../core/errors.js";

export interface PublishOptions {
  /** Most messages sent and not yet confirmed. */
  readonly window?: number;
  /** Give up when no confirmation came for this long, ms. */
  readonly confirmTimeoutMs?: number;
  readonly onConfirmed?: (confirmed: number) => void;
}

export async function publishAll(
  client: Client,
  stream: string,
  bodies: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: PublishOptions = {},
): Promise<number> {
  const window = opts.window ?? 1000;
  const timeoutMs = opts.confirmTimeoutMs ?? 30_000;
  await client.createStream({ stream, arguments: {} });
  const publisher = await client.declarePublisher({ stream });
  let sent = 0;
  let confirmed = 0;
  let failed = 0;
  let progress: () => void = () => undefined;
  publisher.on("publish_confirm", (err, ids) => {
    if (err === null) confirmed += ids.length;
    else failed += ids.length;
    opts.onConfirmed?.(confirmed);
    progress();
  });
  // Wait until `until()` holds, failing when confirmations stop coming.
  const waitFor = async (until: () => boolean) => {
    while (!until()) {
      const before = confirmed + failed;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        progress = () => {
          clearTimeout(t);
          resolve();
        };
      });
      if (confirmed + failed === before && !until())
        throw new AzaionError(
          `stream "${stream}": no confirmation from the broker for ${timeoutMs / 1000} s (${confirmed} of ${sent} confirmed)`,
          "E_BROKER",
        );
    }
  };
  // The client packs up to 100 queued messages into one publish frame whatever their size; a frame
  // over the negotiated frame_max (1 MiB by default) breaks the connection, so flush by bytes too.
  const frameBudget = Math.floor(client.maxFrameSize * 0.9);
  let queuedBytes = 0;
  try {
    for await (const body of bodies) {
      if (body.length > frameBudget)
        throw new AzaionError(
          `message ${sent + 1}: ${body.length} bytes do not fit in one frame of the broker (frame_max ${client.maxFrameSize}); raise stream.frame_max on the broker or send smaller images`,
          "E_BROKER",
        );
      if (queuedBytes + body.length > frameBudget) {
        await publisher.flush();
        queuedBytes = 0;
      }
      await publisher.send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      queuedBytes += body.length + 64;
      sent++;
      if (sent - confirmed - failed >= window) {
        await publisher.flush();
        await waitFor(() => sent - confirmed - failed < window / 2);
      }
    }
    await publisher.flush();
    await waitFor(() => confirmed + failed >= sent);
    if (failed > 0)
      throw new AzaionError(
        `stream "${stream}": the broker refused ${failed} of ${sent} messages`,
        "E_BROKER",
      );
    return confirmed;
  } finally {
    await publisher.close().catch(() => undefined);
  }
}
