/**
 * One rank of the binding's multi-process tests (distributed.test.ts spawns it from dist/): joins a
 * Gloo group over loopback, runs a scenario and prints one JSON line with what it saw. Test code only.
 *
 *   node distributed.test-peer.js <scenario> <port> <rank> <worldSize> <timeoutMs>
 * scenarios: collectives (allreduce sum/avg of many tensors, gradients, broadcast, barrier),
 *            join (join, then wait for a collective that a dead peer never enters), exit (join, then exit).
 */
import * as torch from "./index.js";

interface Report {
  rank: number;
  ok: boolean;
  sums?: number[][];
  avg?: number[];
  grads?: number[];
  broadcast?: number[][];
  error?: { name: string; kind: string; message: string };
  seconds: number;
}

async function collectives(pg: torch.ProcessGroup, r: Report): Promise<void> {
  const rank = pg.rank;
  // 600 tensors of assorted shapes (about YOLO11n's gradient count): element k of tensor i on rank r holds
  // (r + 1) * (i + k); their sum over ranks is (i + k) * world * (world + 1) / 2.
  const ts = Array.from({ length: 600 }, (_, i) => {
    const n = 1 + (i % 7) * 5;
    return torch.tensor(
      Float32Array.from({ length: n }, (_, k) => (rank + 1) * (i + k)),
      [n],
    );
  });
  await pg.allreduce(ts, "sum");
  r.sums = [ts[0]!, ts[1]!, ts[599]!].map((t) => t.toArray() as number[]);
  const a = torch.tensor(Float32Array.from([rank, 10 * rank, 1]), [3]);
  await pg.allreduce([a], "avg");
  r.avg = a.toArray() as number[];
  // Gradients of a leaf reduce in place: grad of sum(w * (rank + 1)) is rank + 1 everywhere.
  const w = torch.ones([2, 3]).requiresGrad_();
  w.mul(rank + 1)
    .sum()
    .backward();
  await pg.allreduceGrads([w], "sum");
  r.grads = w.grad!.toArray() as number[];
  // Broadcast from rank 0 into tensors of two dtypes (two buckets), one of them not contiguous.
  const f = torch.full([4], rank === 0 ? 7 : -1);
  const i64 = torch.full([2, 2], rank === 0 ? 3 : 0, { dtype: "int64" });
  const strided = torch
    .zeros([3, 2])
    .add(rank === 0 ? 5 : 0)
    .transpose(0, 1);
  await pg.broadcast([f, i64, strided], 0);
  r.broadcast = [f, i64, strided].map((t) => t.flatten().toArray() as number[]);
  await pg.barrier();
}

async function main(): Promise<void> {
  const [scenario, port, rank, world, timeout] = process.argv.slice(2);
  const t0 = performance.now();
  const r: Report = { rank: Number(rank), ok: false, seconds: 0 };
  try {
    const pg = await torch.ProcessGroup.init({
      backend: "gloo",
      masterAddr: "127.0.0.1",
      masterPort: Number(port),
      rank: Number(rank),
      worldSize: Number(world),
      timeoutMs: Number(timeout),
      bucketBytes: 4096, // small buckets: the 600 tensors go in several collective calls
    });
    if (scenario === "collectives") await collectives(pg, r);
    else if (scenario === "exit")
      process.exit(0); // a rank that dies right after joining
    else if (scenario === "join") {
      // Wait for the peer to be gone, then ask for a collective it can never enter.
      await new Promise((res) => setTimeout(res, 300));
      await pg.allreduce([torch.ones([8])], "sum");
    }
    pg.destroy();
    r.ok = true;
  } catch (e) {
    const err = e as Error & { kind?: string };
    r.error = { name: err.name, kind: err.kind ?? "", message: err.message };
  }
  r.seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}

void main();
