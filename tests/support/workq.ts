/**
 * Helpers of the work-queue tests: `azaion` as a long-running child process whose log the test can
 * wait on, and a direct AMQP view of a queue (depth, dead-lettered messages, raw publishing).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import amqp from "amqplib";
import { repoRoot } from "./cli.js";

export interface Proc {
  readonly child: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log(): string;
  waitFor(re: RegExp, ms?: number): Promise<void>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startAzaion(args: readonly string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [join(repoRoot, "bin", "azaion.js"), ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr.on("data", (d: Buffer) => (text += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exit.then(() => (ended = true));
  return {
    child,
    exit,
    log: () => text,
    async waitFor(re: RegExp, ms = 40_000) {
      await until(
        () => {
          if (re.test(text)) return true;
          if (ended) throw new Error(`exited before ${re}:\n${text}`);
          return false;
        },
        ms,
        () => `no ${re} in:\n${text}`,
      );
    },
  };
}

export async function until(
  what: () => boolean | Promise<boolean>,
  ms = 40_000,
  why = () => "timed out",
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error(why());
    await sleep(25);
  }
}

/** Every line of a log matching `re`, by its first capture group. */
export function captures(log: string, re: RegExp): string[] {
  return [...log.matchAll(new RegExp(re.source, "gm"))].map((m) => m[1]!);
}

export async function lsOrEmpty(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

export interface DeadMessage {
  readonly body: string;
  readonly reason: string;
  readonly headers: Record<string, unknown>;
}

/** A connection to the test broker's AMQP port for looking at queues. */
export async function amqpView(port: number) {
  const conn = await amqp.connect({ hostname: "127.0.0.1", port, username: "guest", password: "guest" });
  // A test that crashes the broker takes this connection down with it; that is no test failure.
  conn.on("error", () => undefined);
  const ch = await conn.createConfirmChannel();
  ch.on("error", () => undefined);
  return {
    /** Ready messages (a consumer's unacked ones are not counted; they come back if it dies). */
    async depth(queue: string): Promise<number> {
      return (await ch.checkQueue(queue)).messageCount;
    },
    async publishRaw(queue: string, body: Buffer): Promise<void> {
      ch.sendToQueue(queue, body, { persistent: true });
      await ch.waitForConfirms();
    },
    /** Take every message of a (dead) queue. */
    async drain(queue: string): Promise<DeadMessage[]> {
      const out: DeadMessage[] = [];
      for (;;) {
        const m = await ch.get(queue, { noAck: true });
        if (m === false) return out;
        const headers = (m.properties.headers ?? {}) as Record<string, unknown>;
        const reason = headers["x-azaion-reason"];
        out.push({ body: m.content.toString(), reason: typeof reason === "string" ? reason : "", headers });
      }
    },
    async close(): Promise<void> {
      await conn.close().catch(() => undefined);
    },
  };
}
