/**
 * A private RabbitMQ node (with the stream plugin) for one test file: started by
 * scripts/rabbitmq.sh on free loopback ports in a temporary folder, stopped in afterAll even when
 * a test failed. Usage:
 *   const broker = useRabbitMq();   // at the top of the file; broker.port etc. inside tests
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll } from "vitest";
import { freeRabbitMqPort } from "../../src-workers/core/free-port.js";
import { repoRoot } from "./cli.js";

const run = promisify(execFile);
const SCRIPT = join(repoRoot, "scripts", "rabbitmq.sh");

export interface RabbitMq {
  readonly dir: string;
  /** Stream protocol port (AMQP is port + 1, Erlang distribution port + 10000). */
  readonly port: number;
  /** Environment for `azaion` child processes: the queue config pointing at this broker. */
  readonly env: NodeJS.ProcessEnv;
  /** Stop the node (keeping its data), as a broker restart's first half. */
  stop(): Promise<void>;
  /** Kill the node (kill -9: no goodbye to its clients), keeping its data. */
  crash(): Promise<void>;
  /** Freeze (SIGSTOP) or thaw (SIGCONT) the node: a silent broker, as behind a network cut. */
  freeze(frozen: boolean): Promise<void>;
  /** Start it again on the same ports and data. */
  start(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function useRabbitMq(): RabbitMq {
  let dir = "";
  let port = 0;
  const nodePid = async () => Number((await readFile(join(dir, "node.pid"), "utf8")).trim());
  const broker = {
    get dir() {
      return dir;
    },
    get port() {
      return port;
    },
    get env(): NodeJS.ProcessEnv {
      return {
        AZAION_QUEUE__HOST: "127.0.0.1",
        AZAION_QUEUE__PORT: String(port),
        AZAION_QUEUE__AMQP_PORT: String(port + 1),
        AZAION_QUEUE_PASSWORD: "",
      };
    },
    async start() {
      await run("bash", [SCRIPT, "start", dir, String(port)], { timeout: 120_000 });
    },
    async stop() {
      await run("bash", [SCRIPT, "stop", dir], { timeout: 60_000 });
    },
    async freeze(frozen: boolean) {
      process.kill(await nodePid(), frozen ? "SIGSTOP" : "SIGCONT");
    },
    async crash() {
      const pid = await nodePid();
      process.kill(pid, "SIGKILL");
      while (alive(pid)) await new Promise((r) => setTimeout(r, 20));
    },
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "azaion-rabbitmq-"));
    port = await freeRabbitMqPort();
    await broker.start();
  }, 150_000);
  afterAll(async () => {
    if (dir === "") return;
    await broker.freeze(false).catch(() => undefined);
    await broker.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }, 90_000);
  return broker;
}
