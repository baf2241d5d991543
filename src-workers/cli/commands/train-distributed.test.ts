/** Which role `azaion train` takes from its flags and torchrun's environment variables. */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../core/errors.js";
import { distributedRole, workerDevice, type WorkerRole } from "./train-distributed.js";

const torchrun = { RANK: "3", WORLD_SIZE: "8", LOCAL_RANK: "1", LOCAL_WORLD_SIZE: "2", MASTER_ADDR: "10.0.0.5", MASTER_PORT: "29500" }; // prettier-ignore

describe("distributedRole", () => {
  it("is one plain process without flags or variables", () => {
    expect(distributedRole({}, {})).toEqual({ kind: "single" });
    expect(distributedRole({ nproc: "1" }, {})).toEqual({ kind: "single" });
  });

  it("takes torchrun's variables as they are (over --nproc)", () => {
    expect(distributedRole({ nproc: "4", distTimeout: "60" }, torchrun)).toEqual({
      kind: "worker",
      rank: 3,
      worldSize: 8,
      localRank: 1,
      localWorldSize: 2,
      masterAddr: "10.0.0.5",
      masterPort: 29500,
      timeoutMs: 60_000,
    });
    expect(distributedRole({}, { ...torchrun, RANK: "0", WORLD_SIZE: "1" })).toEqual({ kind: "single" });
  });

  it("names the variable that is missing or wrong", () => {
    const { MASTER_PORT: _p, ...noPort } = torchrun;
    expect(() => distributedRole({}, noPort)).toThrow(/MASTER_PORT/);
    expect(() => distributedRole({}, { ...torchrun, RANK: "x" })).toThrow(/RANK/);
    expect(() => distributedRole({}, { ...torchrun, RANK: "8" })).toThrow(/RANK 8 is not below WORLD_SIZE 8/);
  });

  it("launches with --nproc on loopback, and across machines only with the master's address and port", () => {
    expect(distributedRole({ nproc: "2" }, {})).toEqual({
      kind: "launcher",
      nproc: 2,
      nnodes: 1,
      nodeRank: 0,
      masterAddr: "127.0.0.1",
      masterPort: null,
    });
    expect(() => distributedRole({ nproc: "2", nnodes: "2" }, {})).toThrow(UsageError);
    expect(() => distributedRole({ nproc: "2", nnodes: "2" }, {})).toThrow(/--master-addr and --master-port/);
    const r = distributedRole(
      { nproc: "8", nnodes: "2", nodeRank: "1", masterAddr: "node0", masterPort: "29400" },
      {},
    );
    expect(r).toMatchObject({ kind: "launcher", nodeRank: 1, masterAddr: "node0", masterPort: 29400 });
    expect(() => distributedRole({ nnodes: "2", nodeRank: "2", masterAddr: "a", masterPort: "1" }, {})).toThrow(/--node-rank 2/); // prettier-ignore
    expect(() => distributedRole({ nproc: "0" }, {})).toThrow(/--nproc 0/);
    expect(() => distributedRole({ nproc: "2", distTimeout: "0" }, {})).toThrow(/--dist-timeout/);
  });

  it("gives each local rank its own GPU and refuses a batch smaller than the world", () => {
    const w = distributedRole({}, torchrun) as WorkerRole;
    expect(workerDevice(w, { device: "cuda", batch: 64 })).toBe("cuda:1");
    expect(workerDevice(w, { device: "cpu", batch: 64 })).toBe("cpu");
    expect(() => workerDevice(w, { device: "cpu", batch: 4 })).toThrow(/at least one image per rank \(8\)/);
  });
});
