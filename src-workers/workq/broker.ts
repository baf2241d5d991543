/**
 * The work queues' side of the broker: AMQP 0-9-1 (amqplib) on the same RabbitMQ as the annotation
 * stream, with the same host, vhost, user and password (queue.* config, AZAION_QUEUE_PASSWORD) and
 * its own port (queue.amqp_port). Each work queue is a durable quorum queue (replicated by Raft
 * on a cluster, on disk on one node) with a delivery limit, dead-lettering at least once into
 * <queue>.dead, itself a quorum queue.
 */
import { hostname } from "node:os";
import amqp, { type Channel, type ChannelModel } from "amqplib";
import type { AzaionConfig } from "../core/config.js";
import { errorMessage } from "../core/errors.js";
import type { Secrets } from "../core/secrets.js";
import { BrokerError, brokerOptions } from "../queue/broker.js";

export interface AmqpOptions {
  readonly host: string;
  readonly port: number;
  readonly vhost: string;
  readonly user: string;
  readonly password: string;
  readonly heartbeatS: number;
  readonly deliveryLimit: number;
}

/** The stream broker's address, user and password (brokerOptions), on the AMQP port. */
export function amqpOptions(cfg: AzaionConfig, secrets: Secrets): AmqpOptions {
  const { host, vhost, user, password, heartbeatS } = brokerOptions(cfg, secrets);
  return {
    host,
    port: cfg.queue.amqp_port,
    vhost,
    user,
    password,
    heartbeatS,
    deliveryLimit: cfg.queue.delivery_limit,
  };
}

export function describeAmqp(o: AmqpOptions): string {
  return `amqp ${o.user}@${o.host}:${o.port}${o.vhost === "/" ? "" : ` vhost ${o.vhost}`}`;
}

export function deadQueueOf(queue: string): string {
  return `${queue}.dead`;
}

/** Who we are, in the broker's connection list and in dead-lettered jobs. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/** Connect, or throw a BrokerError (retryable unless the credentials or vhost are wrong). */
export async function connectAmqp(o: AmqpOptions, role: string, timeoutMs = 15_000): Promise<ChannelModel> {
  try {
    return await amqp.connect(
      {
        protocol: "amqp",
        hostname: o.host,
        port: o.port,
        vhost: o.vhost,
        username: o.user,
        password: o.password,
        heartbeat: o.heartbeatS,
      },
      { timeout: timeoutMs, clientProperties: { connection_name: `azaion-${role} ${workerName()}` } },
    );
  } catch (e) {
    const msg = errorMessage(e);
    if (/ACCESS_REFUSED|ACCESS-REFUSED|403|authentication/i.test(msg))
      throw new BrokerError(
        `${describeAmqp(o)}: authentication failed (user from config queue.user, password from AZAION_QUEUE_PASSWORD or the secrets file)`,
        false,
      );
    if (/NOT_ALLOWED|vhost/i.test(msg)) throw new BrokerError(`${describeAmqp(o)}: ${msg}`, false);
    const code = (e as NodeJS.ErrnoException).code;
    const prefix = code !== undefined && !msg.includes(code) ? `${code} ` : "";
    return Promise.reject(new BrokerError(`${describeAmqp(o)}: ${prefix}${msg}`, true));
  }
}

/**
 * Declare `queue` and its dead-letter queue (idempotent). The broker refuses a redeclaration with
 * other arguments (PRECONDITION_FAILED): the error then names the setting that must agree.
 */
export async function declareWorkQueue(ch: Channel, queue: string, deliveryLimit: number): Promise<void> {
  const dead = deadQueueOf(queue);
  try {
    await ch.assertQueue(dead, { durable: true, arguments: { "x-queue-type": "quorum" } });
    await ch.assertQueue(queue, {
      durable: true,
      arguments: {
        "x-queue-type": "quorum",
        "x-delivery-limit": deliveryLimit,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": dead,
        // A dead-lettered job is confirmed by the dead queue before it leaves this one.
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
      },
    });
  } catch (e) {
    const msg = errorMessage(e);
    if (/PRECONDITION_FAILED/.test(msg))
      throw new BrokerError(
        `queue ${queue} exists with other settings (${msg}); every worker and submitter needs the same queue.delivery_limit`,
        false,
      );
    throw e;
  }
}

/** Close a connection or channel without waiting long on a broker that may be gone. */
export async function closeQuietly(
  conn: Pick<ChannelModel | Channel, "close"> | undefined,
  graceMs = 2000,
): Promise<void> {
  if (!conn) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    conn.close().catch(() => undefined),
    new Promise<void>((r) => (timer = setTimeout(r, graceMs))),
  ]);
  clearTimeout(timer);
}
