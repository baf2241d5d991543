/**
 * Connecting to the broker: address from config, user from config, password from the secrets
 * (queue_password / AZAION_QUEUE_PASSWORD). Without a password the user "guest" gets "guest",
 * which a RabbitMQ broker accepts from loopback connections only: fine for a local broker, never
 * for a remote one. The 3.10 compatibility shim is installed before the first connection.
 */
import { Socket } from "node:net";
import { connect, type Client } from "rabbitmq-stream-js-client";
import type { AzaionConfig } from "../core/config.js";
import { AzaionError, errorMessage } from "../core/errors.js";
import { requireSecret, type Secrets } from "../core/secrets.js";
import { installBrokerCompat } from "./compat.js";

export interface BrokerOptions {
  readonly host: string;
  readonly port: number;
  readonly vhost: string;
  readonly user: string;
  readonly password: string;
  readonly stream: string;
  /** Heartbeat asked of the broker, s: a silent connection is declared dead after two missed beats. */
  readonly heartbeatS: number;
}

export function brokerOptions(cfg: AzaionConfig, secrets: Secrets): BrokerOptions {
  const { host, port, vhost, stream, user } = cfg.queue;
  const password =
    secrets.queue_password ?? (user === "guest" ? "guest" : requireSecret(secrets, "queue_password"));
  return { host, port, vhost, user, password, stream, heartbeatS: cfg.queue.heartbeat_s };
}

/** The broker could not be reached or refused us; `retryable` says whether waiting may help. */
export class BrokerError extends AzaionError {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message, "E_BROKER");
  }
}

export function describeBroker(o: BrokerOptions): string {
  return `${o.user}@${o.host}:${o.port}${o.vhost === "/" ? "" : ` vhost ${o.vhost}`}`;
}

/** Connect, or throw a BrokerError naming the broker, within timeoutMs. */
export async function connectBroker(o: BrokerOptions, timeoutMs = 15_000): Promise<Client> {
  installBrokerCompat();
  let timer: NodeJS.Timeout | undefined;
  const attempt = connect({
    hostname: o.host,
    port: o.port,
    vhost: o.vhost,
    username: o.user,
    password: o.password,
    heartbeat: o.heartbeatS,
    connectionName: "azaion-queue",
  });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BrokerError(`${describeBroker(o)}: no answer within ${timeoutMs / 1000} s`, true)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([attempt, timeout]);
  } catch (e) {
    // A late success after the timeout must not leak a connection.
    attempt.then((c) => destroyClient(c)).catch(() => undefined);
    if (e instanceof BrokerError) throw e;
    throw classify(o, e);
  } finally {
    clearTimeout(timer);
  }
}

function classify(o: BrokerOptions, e: unknown): BrokerError {
  const msg = errorMessage(e);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (/Authenticate|authentication|SASL/i.test(msg))
    return new BrokerError(
      `${describeBroker(o)}: authentication failed (user from config queue.user, password from AZAION_QUEUE_PASSWORD or the secrets file)`,
      false,
    );
  if (/VirtualHost|virtual host/i.test(msg)) return new BrokerError(`${describeBroker(o)}: ${msg}`, false);
  const prefix = code !== undefined && !msg.includes(code) ? `${code} ` : "";
  return new BrokerError(`${describeBroker(o)}: ${prefix}${msg}`, true);
}

/**
 * Close a client without waiting on a broker that may be gone: the client's own close() sends a
 * Close command and waits for the answer, which never comes over a dead network. We try it
 * briefly, then destroy every socket of the client (its locator and pooled connections).
 */
export async function destroyClient(client: Client, graceMs = 2000): Promise<void> {
  const sockets = clientSockets(client);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.close().catch(() => undefined),
    new Promise<void>((r) => (timer = setTimeout(r, graceMs))),
  ]);
  clearTimeout(timer);
  for (const socket of [...sockets, ...clientSockets(client)]) socket.destroy();
}

/** Every socket the client holds, found through its internals (checked at run time, never assumed). */
function clientSockets(client: Client): Socket[] {
  const found: Socket[] = [];
  const visit = (conn: unknown) => {
    const socket = (conn as { socket?: unknown } | undefined)?.socket;
    if (socket instanceof Socket) found.push(socket);
    const hb = (conn as { heartbeat?: { stop?: unknown } } | undefined)?.heartbeat;
    if (typeof hb?.stop === "function") (hb.stop as () => void).call(hb);
  };
  const internals = client as unknown as {
    locatorConnection?: unknown;
    consumers?: Map<unknown, { connection?: unknown }>;
    publishers?: Map<unknown, { connection?: unknown }>;
  };
  visit(internals.locatorConnection);
  for (const map of [internals.consumers, internals.publishers])
    if (map instanceof Map) for (const v of map.values()) visit(v.connection);
  return found;
}
