/** The training loop on a tiny synthetic set: loss falls, files, exact resume, memory stays flat. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../../torch/index.js";
import { loadWeights } from "../io/weights.js";
import { DetectionModel } from "../model/detection-model.js";
import { Callbacks } from "./callbacks.js";
import { loadTrainState } from "./checkpoint.js";
import { RESULTS_COLUMNS } from "./results.js";
import { syntheticSource } from "./synthetic.test-support.js";
import { Trainer, type TrainerOptions } from "./trainer.js";

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "azaion-train-"));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const TINY = { imgsz: 64, batch: 4, nbs: 4, warmup_epochs: 0, workers: 0 };

function setup(seed = 0, images = 8) {
  torch.manualSeed(seed);
  const model = new DetectionModel({ scale: "n", nc: 3, names: ["red", "green", "blue"] });
  const train = syntheticSource({ images, batch: 4, shuffle: true, seed: 1 });
  const val = syntheticSource({ images: 4, batch: 4, seed: 2 });
  return { model, train, val };
}

async function run(o: Omit<TrainerOptions, "model" | "train" | "val">, seed = 0) {
  const s = setup(seed);
  try {
    const t = new Trainer({ ...o, ...s });
    return { trainer: t, result: await t.train() };
  } finally {
    s.model.dispose();
  }
}

describe("Trainer", () => {
  it("training loss falls over 20 steps; writes results.csv, args.yaml, last/best", async () => {
    const dir = await tmp();
    const losses: number[] = [];
    const cb = new Callbacks();
    const seen: string[] = [];
    for (const ev of [
      "on_pretrain_routine_start",
      "on_train_start",
      "on_train_epoch_start",
      "on_train_epoch_end",
      "on_fit_epoch_end",
      "on_model_save",
      "on_train_end",
    ] as const)
      cb.on(ev, () => void seen.push(ev));
    cb.on("on_train_batch_end", (e) => void losses.push(e.loss[0] + e.loss[1] + e.loss[2]));
    const { result } = await run({
      saveDir: dir,
      callbacks: cb,
      args: { ...TINY, epochs: 10, val: false, optimizer: "AdamW", lr0: 0.005, lrf: 1 },
    });
    expect(losses).toHaveLength(20);
    const first = (losses[0]! + losses[1]! + losses[2]! + losses[3]!) / 4;
    const last = (losses[16]! + losses[17]! + losses[18]! + losses[19]!) / 4;
    console.log(
      `train loss (box+cls+dfl): first 4 steps ${first.toFixed(3)}, last 4 ${last.toFixed(3)}; ${losses.map((l) => l.toFixed(2)).join(" ")}`,
    );
    expect(last).toBeLessThan(first * 0.8);
    expect(seen.slice(0, 3)).toEqual(["on_pretrain_routine_start", "on_train_start", "on_train_epoch_start"]);
    expect(seen.at(-1)).toBe("on_train_end");
    expect(result.epochsRun).toBe(10);
    const csv = (await readFile(join(dir, "results.csv"), "utf8")).trim().split("\n");
    expect(csv[0]).toBe(RESULTS_COLUMNS.join(","));
    expect(csv).toHaveLength(11);
    expect(csv[10]!.startsWith("10,")).toBe(true);
    expect(await readFile(join(dir, "args.yaml"), "utf8")).toMatch(/^epochs: 10$/m);
    const w = await loadWeights(result.last);
    expect(w.meta.nc).toBe(3);
    expect(w.meta.trainArgs.epochs).toBe(10);
    w.stateDict.forEach((t) => t.dispose());
  });

  it("resume after stopping at epoch k ends with the same weights and results as an uninterrupted run", async () => {
    // nbs 12 / batch 4 -> accumulate 3 over 2 batches an epoch: gradients are pending at epoch ends.
    const args = { ...TINY, nbs: 12, epochs: 4, patience: 100 };
    const full = await run({ saveDir: await tmp(), args });
    const dir = await tmp();
    const cb = new Callbacks();
    let trainer: Trainer | null = null;
    cb.on("on_fit_epoch_end", (e) => {
      if (e.epoch === 1) trainer!.requestStop();
    });
    {
      const s = setup(0);
      trainer = new Trainer({ ...s, saveDir: dir, args, callbacks: cb });
      const r = await trainer.train();
      expect(r.lastEpoch).toBe(1);
      s.model.dispose();
    }
    const state = join(dir, "weights", "last.state.safetensors");
    const resumed = await run({ saveDir: dir, resume: state }, 123);
    expect(resumed.result.epochsRun).toBe(2);
    const a = await loadWeights(full.result.last);
    const b = await loadWeights(resumed.result.last);
    for (const [k, t] of a.stateDict) expect(t.toNumbers(), k).toEqual(b.stateDict.get(k)!.toNumbers());
    [a, b].forEach((w) => w.stateDict.forEach((t) => t.dispose()));
    const strip = (rows: readonly Record<string, number>[]) => rows.map(({ time: _t, ...r }) => r);
    expect(strip(resumed.result.rows)).toEqual(strip(full.result.rows));
    expect(resumed.result.bestFitness).toBe(full.result.bestFitness);

    // Extending epochs continues from the last state; shortening is refused.
    const more = await run({
      saveDir: dir,
      resume: state.replace("last.state", "last.state"),
      args: { epochs: 5 },
    });
    expect(more.result.rows.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5]);
    await expect(run({ saveDir: dir, resume: state, args: { epochs: 3 } })).rejects.toThrow(/not shorten/);
    await expect(run({ saveDir: dir, resume: state })).rejects.toThrow(/already finished 5 epochs/);
  });

  it("trains on an explicit cpu device; a CUDA device without CUDA is a clear error", async () => {
    const { result } = await run({ saveDir: await tmp(), args: { ...TINY, epochs: 1, device: "cpu" } });
    expect(result.epochsRun).toBe(1);
    const w = await loadWeights(result.last);
    expect(w.meta.trainArgs.device).toBe("cpu");
    w.stateDict.forEach((t) => t.dispose());
    await expect(run({ saveDir: await tmp(), args: { ...TINY, device: "gpu" } })).rejects.toThrow(
      /training argument 'device'/,
    );
    if (!torch.cuda.isAvailable())
      await expect(run({ saveDir: await tmp(), args: { ...TINY, device: "cuda:0" } })).rejects.toThrow(
        "device 'cuda:0': CUDA is not available",
      );
  });

  it("tensor count stays flat across epochs", async () => {
    const counts: number[] = [];
    const rss: number[] = [];
    const cb = new Callbacks();
    cb.on("on_fit_epoch_end", () => {
      counts.push(torch.liveTensors().count);
      rss.push(process.memoryUsage().rss / 2 ** 20);
    });
    await run({ saveDir: await tmp(), callbacks: cb, args: { ...TINY, epochs: 6 } });
    console.log(
      `live tensors per epoch ${counts.join(" ")}; RSS MiB ${rss.map((r) => r.toFixed(0)).join(" ")}`,
    );
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(rss.at(-1)! - rss[1]!).toBeLessThan(150);
  });

  it("writes a train state that reads back exactly and refuses a damaged one", async () => {
    const dir = await tmp();
    const s = setup(0);
    try {
      await new Trainer({ ...s, saveDir: dir, args: { ...TINY, epochs: 1 } }).train();
      const path = join(dir, "weights", "last.state.safetensors");
      const st = await loadTrainState(path);
      for (const [k, t] of s.model.stateDict())
        expect(st.model.get(k)!.toNumbers(), k).toEqual(t.toNumbers());
      expect(st.progress.epoch).toBe(0);
      expect(st.args.epochs).toBe(1);
      expect(st.emaUpdates).toBe(2);
      expect(st.optimizerName).toBe("AdamW");
      expect(st.scaler).toEqual({ scale: 65536, growthTracker: 0 }); // AMP is off on the CPU: untouched
      expect(Object.keys(st.optimizer.state).length).toBeGreaterThan(0);
      st.dispose();

      const bytes = await readFile(path);
      const { writeFile } = await import("node:fs/promises");
      const flipped = Buffer.from(bytes);
      flipped[flipped.length - 100]! ^= 0xff;
      await writeFile(path, flipped);
      await expect(loadTrainState(path)).rejects.toThrow(/checkpoint cannot be used.*checksum/);
      await writeFile(path, bytes.subarray(0, bytes.length - 1000));
      await expect(loadTrainState(path)).rejects.toThrow(/checkpoint cannot be used.*truncated/);
      await writeFile(path, Buffer.from("not a checkpoint at all"));
      await expect(loadTrainState(path)).rejects.toThrow(/checkpoint cannot be used/);
      await expect(new Trainer({ ...s, saveDir: dir, resume: path }).train()).rejects.toThrow(
        /checkpoint cannot be used/,
      );
    } finally {
      s.model.dispose();
    }
  });
});
