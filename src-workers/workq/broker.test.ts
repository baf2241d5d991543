import { describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.js";
import { amqpOptions, deadQueueOf } from "./broker.js";

describe("work-queue broker settings", () => {
  it("come from the queue config: its host, vhost and user, the AMQP port of their own", () => {
    const cfg = loadConfig({ env: { AZAION_QUEUE__HOST: "broker.lan", AZAION_QUEUE__AMQP_PORT: "5673" } });
    const o = amqpOptions(cfg, {});
    expect(o).toMatchObject({ host: "broker.lan", port: 5673, vhost: "/", user: "guest", password: "guest" });
    expect(o.deliveryLimit).toBe(5);
    expect(cfg.queue.augment_queue).toBe("azaion-augment");
    expect(cfg.queue.infer_queue).toBe("azaion-infer");
    expect(cfg.queue.prefetch).toBe(1);
    expect(deadQueueOf(cfg.queue.augment_queue)).toBe("azaion-augment.dead");
  });

  it("need the password for any user but guest", () => {
    const cfg = loadConfig({ env: { AZAION_QUEUE__USER: "worker" } });
    expect(() => amqpOptions(cfg, {})).toThrow(/queue_password|AZAION_QUEUE_PASSWORD/);
    expect(amqpOptions(cfg, { queue_password: "s3cret" }).password).toBe("s3cret");
  });

  it("are validated, naming the variable and the key", () => {
    expect(() => loadConfig({ env: { AZAION_QUEUE__AMQP_PORT: "0" } })).toThrow(
      /AZAION_QUEUE__AMQP_PORT: queue\.amqp_port: /,
    );
    expect(() => loadConfig({ env: { AZAION_QUEUE__AUGMENT_QUEUE: "amq.work" } })).toThrow(
      /queue\.augment_queue: names starting with "amq\." are the broker's own/,
    );
    expect(() => loadConfig({ env: { AZAION_QUEUE__INFER_QUEUE: "a b" } })).toThrow(/queue\.infer_queue: /);
    expect(() => loadConfig({ env: { AZAION_QUEUE__PREFETCH: "0" } })).toThrow(/queue\.prefetch: /);
    expect(() => loadConfig({ env: { AZAION_QUEUE__DELIVERY_LIMIT: "x" } })).toThrow(
      /queue\.delivery_limit: /,
    );
    // The test pause is no config key (and no error).
    expect(loadConfig({ env: { AZAION_TEST_JOB_DELAY_MS: "100" } }).queue.prefetch).toBe(1);
  });
});
