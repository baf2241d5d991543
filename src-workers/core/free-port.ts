/** A TCP port free on 127.0.0.1 right now (the OS picks it); for a rendezvous that starts just after. */
import { createServer } from "node:net";

export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const a = s.address();
      s.close(() => (a && typeof a === "object" ? resolve(a.port) : reject(new Error("no free port"))));
    });
  });
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/**
 * A port p with p, p + 1 and p + 10000 free: what a private RabbitMQ node needs (stream port, AMQP
 * port, Erlang distribution port; scripts/rabbitmq.sh derives the last two from the first).
 */
export async function freeRabbitMqPort(host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await portFree(p, host)) && (await portFree(p + 1, host)) && (await portFree(p + 10_000, host)))
      return p;
  }
  throw new Error("no free ports for RabbitMQ (p, p + 1 and p + 10000) on loopback");
}
