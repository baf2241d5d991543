/**
 * Compatibility of rabbitmq-stream-js-client with RabbitMQ 3.10 (Debian bookworm's broker).
 *
 * Every version of the client ends its handshake with ExchangeCommandVersions (command 0x001b),
 * which brokers know only from 3.11. A 3.10 broker answers with a Close frame; the client has no
 * decoder for a server-initiated Close (key 0x16), so it throws "Unknown response 22" from its
 * socket handler: an uncaught error that ends the process.
 *
 * The hook: Connection#exchangeCommandVersions runs after the peer-properties exchange, which tells
 * the broker's version (`rabbitmqManagementVersion` from the server's "version" property). Below
 * 3.11 we skip the command, as the Java and Go clients do; the client then assumes version 1 of
 * every command (it already limits itself to v1 of publish and deliver below 3.13). From 3.11 the
 * original runs unchanged.
 *
 * Second, the client runs its handshake (peer properties, SASL, tune, open, command versions) in
 * an async socket "connect" listener, so a refusal there (a wrong password: "Unable Authenticate
 * -> 8"; a vhost we may not use) is thrown where nobody awaits it and ends the process instead of
 * failing connect(). Each handshake step is wrapped: on failure it destroys the socket with the
 * error, which the client turns into a rejection of connect(), and the step never returns. The
 * same for its frame decoder, which throws inside the socket's "data" listener.
 * Applied once per process, before the first connection.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const SHIMMED = Symbol.for("azaion.queue.exchangeCommandVersionsShim");

interface ConnectionInternals {
  readonly rabbitManagementVersion: string | undefined;
  readonly socket?: { destroy(error?: Error): void };
}
type Step = (this: ConnectionInternals, ...args: unknown[]) => Promise<unknown>;
interface ConnectionPrototype {
  exchangeCommandVersions: (this: ConnectionInternals) => Promise<boolean>;
  received: (this: ConnectionInternals, data: Buffer) => void;
  [SHIMMED]?: true;
}

/** The handshake steps of Connection, run inside its socket "connect" listener. */
const HANDSHAKE = ["exchangeProperties", "auth", "tune", "open", "exchangeCommandVersions"] as const;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Brokers from this version know ExchangeCommandVersions. */
export const EXCHANGE_COMMAND_VERSIONS_SINCE: readonly [number, number] = [3, 11];

/** True when a broker of `version` (e.g. "3.10.8") understands ExchangeCommandVersions; unknown counts as new. */
export function knowsCommandVersions(version: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? "");
  if (m === null) return true;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const [sinceMajor, sinceMinor] = EXCHANGE_COMMAND_VERSIONS_SINCE;
  return major > sinceMajor || (major === sinceMajor && minor >= sinceMinor);
}

/** Install the shim (idempotent). */
export function installBrokerCompat(): void {
  const mod = require("rabbitmq-stream-js-client/dist/connection.js") as {
    Connection?: { prototype: ConnectionPrototype };
  };
  const proto = mod.Connection?.prototype;
  if (proto === undefined || typeof proto.exchangeCommandVersions !== "function") {
    // A client release that renamed its internals: fail loudly rather than hang on a 3.10 broker.
    throw new Error(
      "rabbitmq-stream-js-client: Connection#exchangeCommandVersions not found; the RabbitMQ 3.10 shim in src-workers/queue/compat.ts needs updating",
    );
  }
  if (proto[SHIMMED]) return;
  const original = proto.exchangeCommandVersions;
  proto.exchangeCommandVersions = async function (this: ConnectionInternals): Promise<boolean> {
    if (!knowsCommandVersions(this.rabbitManagementVersion)) return true;
    return original.call(this);
  };
  const steps = proto as unknown as Record<string, Step | undefined>;
  for (const name of HANDSHAKE) {
    const step = steps[name];
    if (typeof step !== "function")
      throw new Error(
        `rabbitmq-stream-js-client: Connection#${name} not found; update src-workers/queue/compat.ts`,
      );
    steps[name] = async function (this: ConnectionInternals, ...args: unknown[]): Promise<unknown> {
      try {
        return await step.apply(this, args);
      } catch (e) {
        const error =
          e instanceof Error ? e : new Error(`${name}: the broker answered with code ${String(e)}`);
        this.socket?.destroy(error);
        return new Promise<never>(() => undefined);
      }
    };
  }
  // The frame decoder throws inside the socket's "data" listener on frames it cannot read (an
  // error answer to Open, for one): end this connection with that error instead of the process.
  const received = proto.received;
  proto.received = function (this: ConnectionInternals, data: Buffer): void {
    try {
      received.call(this, data);
    } catch (e) {
      this.socket?.destroy(new Error(`the broker sent a frame the client cannot read (${errorText(e)})`));
    }
  };
  proto[SHIMMED] = true;
}
