/** The utility process's layer over parentPort: every frame still reaches main; events also the renderer's port. */
import { describe, expect, it } from "vitest";
import { mirrorEvents } from "./utility-worker.js";

describe("mirrorEvents", () => {
  it("takes the port of the first message and posts job events (not ready/exit) to it as well", () => {
    const toMain: unknown[] = [];
    const toRenderer: unknown[] = [];
    let deliver:
      | ((e: { data: unknown; ports?: { postMessage(m: unknown): void; start(): void }[] }) => void)
      | undefined;
    let started = 0;
    const layer = mirrorEvents({
      postMessage: (m) => toMain.push(m),
      on: (_e, l) => (deliver = l),
    });
    const received: unknown[] = [];
    layer.on("message", (e) => received.push(e.data));
    layer.postMessage({ type: "ready" });
    const port = { postMessage: (m: unknown) => toRenderer.push(m), start: () => void started++ };
    deliver!({ data: { type: "run", argv: ["train"] }, ports: [port] });
    const ev = { type: "event", event: { type: "train.epoch", epoch: 0, row: { epoch: 1 } } };
    layer.postMessage(ev);
    layer.postMessage({ type: "exit", code: 0 });
    expect(received).toEqual([{ type: "run", argv: ["train"] }]);
    expect(toMain).toEqual([{ type: "ready" }, ev, { type: "exit", code: 0 }]);
    expect(toRenderer).toEqual([ev]);
    expect(started).toBe(1);
  });
});
