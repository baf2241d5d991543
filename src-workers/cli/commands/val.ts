/**
 * `azaion val`: validate detector weights on a split of a data.yaml; prints P, R, mAP50, mAP50-95 (all,
 * per class, per base class and weather mode for the 80-slot scheme) and writes the tables, confusion
 * matrix and curves into runs/val (val2, val3, ... when it exists), as Ultralytics' `yolo val`.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { dataRootLayout } from "../../core/layout.js";
import { createLoader } from "../../yolo/data/loader.js";
import type { CliContext } from "../context.js";
import { evaluate, loadSplit, num, parseArgs } from "./train-common.js";

interface ValFlags {
  readonly data: string;
  readonly split: "train" | "val" | "test";
  readonly imgsz: string;
  readonly batch: string;
  readonly conf: string;
  readonly iou: string;
  readonly workers: string;
  readonly device: string;
  readonly name: string;
}

/** runs/<name>, or <name>2, <name>3, ... when taken (Ultralytics' increment_path). */
export function freeRunDir(runs: string, name: string): string {
  let dir = join(runs, name);
  for (let k = 2; existsSync(dir); k++) dir = join(runs, `${name}${k}`);
  return dir;
}

export function registerVal(program: Command, ctx: CliContext): void {
  program
    .command("val")
    .description("validate detector weights on a dataset split: precision, recall, mAP50, mAP50-95, plots")
    .argument("<weights>", "our weights (.safetensors) or an Ultralytics checkpoint (.pt)")
    .requiredOption("--data <data.yaml>", "Ultralytics dataset file")
    .option("--split <name>", "train|val|test", "val")
    .option("--imgsz <px>", "image size, a multiple of 32", "640")
    .option("--batch <n>", "images per batch", "32")
    .option("--conf <x>", "least confidence kept", "0.001")
    .option("--iou <x>", "NMS IoU threshold", "0.7")
    .option("--workers <n>", "data loader threads", "8")
    .option("--device <name>", "cpu, cuda or cuda:N", "cpu")
    .option("--name <name>", "output folder under runs/ (val2, val3, ... when taken)", "val")
    .action(async (weights: string, f: ValFlags) => {
      if (!["train", "val", "test"].includes(f.split))
        throw new UsageError(`--split ${f.split}: expected train, val or test`);
      if (f.name === "" || /[/\\]|^\.\.?$/.test(f.name))
        throw new UsageError(`--name "${f.name}": expected a plain folder name`);
      const v = parseArgs({ imgsz: num("--imgsz", f.imgsz), batch: num("--batch", f.batch), conf: num("--conf", f.conf, false),
        iou: num("--iou", f.iou, false), workers: num("--workers", f.workers), device: f.device }); // prettier-ignore
      if (v.batch < 1) throw new UsageError(`--batch ${v.batch}: validation needs a positive batch`);
      const { loadDetector } = await import("../../yolo/predict/load.js");
      const d = await loadDetector(resolve(weights), { fuse: true });
      if (v.device !== "cpu") d.model.to(v.device);
      const src = createLoader(await loadSplit(resolve(f.data), f.split, d.nc, ctx), {
        imgsz: v.imgsz,
        batch: v.batch,
        train: false,
        workers: v.workers,
      });
      try {
        const dir = freeRunDir(dataRootLayout(ctx.config().root).runs, f.name);
        await evaluate(ctx, d.model, src, {
          conf: v.conf ?? 0.001,
          iou: v.iou,
          maxDet: v.max_det,
          dir,
          label: "val",
        });
      } finally {
        d.model.dispose();
        await src.close();
      }
    });
}
