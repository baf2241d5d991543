/**
 * The c10d binding across real processes over 127.0.0.1 with Gloo: collectives give the right values on
 * every rank, and a peer that never joins or dies gives a typed error after the timeout, not a hang.
 * The ranks run distributed.test-peer.ts from dist/ (built by the tests' global setup).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../core/free-port.js";
import { packageRoot } from "../core/package-root.js";
import { distributedBackends } from "./distributed.js";

const PEER = join(packageRoot(), "dist", "src-workers", "torch", "distributed.test-peer.js");

interface Report {
  rank: number;
  ok: boolean;
  sums?: number[][];
  avg?: number[];
  grads?: number[][];
  broadcast?: number[][];
  error?: { name: string; kind: string; message: string };
}

function peer(args: readonly (string | number)[]): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PEER, ...args.map(String)], {
      env: { ...process.env, OMP_NUM_THREADS: "1", AZAION_TORCH__THREADS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line) as Report);
      else if (code === 0)
        resolve({ rank: Number(args[2]), ok: true }); // the "exit" scenario prints nothing
      else reject(new Error(`peer ${args.join(" ")} exited ${code}: ${err}`));
    });
  });
}

describe("c10d over Gloo (2 processes on loopback)", () => {
  it("the build has Gloo", () => {
    expect(distributedBackends().gloo).toBe(true);
  });

  it("allreduce (sum, avg, gradients) and broadcast give every rank the same, right values", async () => {
    const port = await freePort();
    const rs = await Promise.all([0, 1].map((r) => peer(["collectives", port, r, 2, 20_000])));
    // Element k of tensor i is (rank + 1) * (i + k) on each rank: the sum over 2 ranks is 3 * (i + k).
    const expected = (i: number, n: number) => Array.from({ length: n }, (_, k) => 3 * (i + k));
    for (const r of rs) {
      expect(r.error).toBeUndefined();
      expect(r.ok).toBe(true);
      expect(r.sums).toEqual([expected(0, 1), expected(1, 6), expected(599, 21)]);
      expect(r.avg).toEqual([0.5, 5, 1]);
      expect(r.grads).toEqual([
        [3, 3, 3],
        [3, 3, 3],
      ]);
      expect(r.broadcast).toEqual([
        [7, 7, 7, 7],
        [3, 3, 3, 3],
        [5, 5, 5, 5, 5, 5],
      ]);
    }
  });

  it("a peer that never joins: rank 0 and rank 1 each fail with a timeout error", async () => {
    const [r0, r1] = await Promise.all([
      freePort().then((p) => peer(["join", p, 0, 2, 1500])),
      freePort().then((p) => peer(["join", p, 1, 2, 1500])),
    ]);
    for (const r of [r0, r1]) {
      expect(r.ok).toBe(false);
      expect(r.error?.name).toBe("DistributedError");
      expect(r.error?.kind).toBe("timeout");
      expect(r.error?.message).toMatch(/joining the gloo group at 127\.0\.0\.1:\d+ \(world size 2\) failed/);
    }
  });

  it("a peer that dies after joining: the collective fails with an error instead of waiting", async () => {
    const port = await freePort();
    const [r0, r1] = await Promise.all([
      peer(["join", port, 0, 2, 10_000]),
      peer(["exit", port, 1, 2, 10_000]),
    ]);
    expect(r1.ok).toBe(true);
    expect(r0.ok).toBe(false);
    expect(r0.error?.name).toBe("DistributedError");
    expect(["peer-lost", "timeout"]).toContain(r0.error?.kind);
    expect(r0.error?.message).toMatch(/^rank 0: allreduce failed/);
  });
});
