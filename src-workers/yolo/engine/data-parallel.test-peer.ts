/**
 * One process of the data-parallel equality test (data-parallel.test.ts spawns it from dist/): trains
 * yolo11n on a data.yaml with the real loader, as rank `rank` of `world` (world 1: a plain process with
 * the whole batch). Rank 0 (or the single process) leaves runs' weights/last.state.safetensors in saveDir.
 * Test code only. Argument: one JSON object (Spec).
 */
import { z } from "zod";
import * as torch from "../../torch/index.js";
import { loadDataset } from "../data/dataset.js";
import { createLoader } from "../data/loader.js";
import { DetectionModel } from "../model/detection-model.js";
import { DataParallel } from "./data-parallel.js";
import { Trainer } from "./trainer.js";

const Spec = z.object({
  dataYaml: z.string(),
  saveDir: z.string(),
  rank: z.number().int().min(0),
  world: z.number().int().min(1),
  port: z.number().int().min(0),
  /** The global batch. */
  batch: z.number().int().min(1),
  epochs: z.number().int().min(1),
  nbs: z.number().int().min(1),
  imgsz: z.number().int(),
  batchNormEval: z.boolean(),
});

async function main(): Promise<void> {
  const s = Spec.parse(JSON.parse(process.argv[2] ?? "null"));
  torch.setNumThreads(1);
  const ds = await loadDataset({ dataYaml: s.dataYaml, split: "train" });
  // Each rank builds its model from another seed: only the broadcast of rank 0's weights makes them equal.
  torch.manualSeed(s.rank === 0 ? 0 : 1000 + s.rank);
  const model = new DetectionModel({ scale: "n", nc: ds.names.length, names: ds.names });
  const train = createLoader(ds, {
    imgsz: s.imgsz,
    batch: s.batch / s.world,
    train: true,
    seed: 0,
    epochs: s.epochs,
    closeMosaic: 10, // fewer epochs than that: no mosaic (the rest of the augmentation stays, per image)
    workers: 0,
    rank: s.rank,
    worldSize: s.world,
  });
  const group =
    s.world > 1
      ? await torch.ProcessGroup.init({
          backend: "gloo",
          masterAddr: "127.0.0.1",
          masterPort: s.port,
          rank: s.rank,
          worldSize: s.world,
          timeoutMs: 60_000,
        })
      : null;
  try {
    const trainer = new Trainer({
      model,
      train,
      val: null,
      saveDir: s.saveDir,
      args: {
        imgsz: s.imgsz,
        batch: s.batch,
        nbs: s.nbs,
        epochs: s.epochs,
        optimizer: "SGD",
        lr0: 0.02,
        warmup_epochs: 0,
        workers: 0,
      },
      ddp: group ? new DataParallel(group, "cpu") : null,
      batchNormEval: s.batchNormEval,
    });
    const r = await trainer.train();
    process.stdout.write(
      `${JSON.stringify({ rank: s.rank, epochsRun: r.epochsRun, rows: r.rows.length })}\n`,
    );
  } finally {
    group?.destroy();
    model.dispose();
    await train.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
