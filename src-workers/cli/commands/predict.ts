/** `azaion predict`: run a detector on images and write labels, JSON lines and drawn images. */
import { resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { dataRootLayout } from "../../core/layout.js";
import { Predictor, type Detector } from "../../yolo/predict/predictor.js";
import { classStyles } from "../../yolo/predict/styles.js";
import { PredictionWriter } from "../../yolo/predict/writers.js";
import type { CliContext } from "../context.js";
import { numberOption, wholeOption } from "../options.js";
import { freshRunDir } from "../../core/run-dir.js";
import { listImageFiles } from "../../core/image-files.js";

interface PredictFlags {
  readonly imgsz?: string;
  readonly conf: string;
  readonly iou: string;
  readonly maxDet: string;
  readonly agnostic?: boolean;
  readonly batch: string;
  readonly out?: string;
  readonly saveTxt?: boolean;
  readonly saveConf?: boolean;
  readonly saveJson?: boolean;
  readonly saveImg?: boolean;
  readonly fuse: boolean;
}

/** What the command needs of a loaded model; tests pass a fake. */
export interface PredictModel {
  readonly detector: Detector;
  readonly nc: number;
  readonly names: readonly string[];
  readonly imgsz?: number;
  dispose(): void;
}

export type ModelLoader = (weights: string, fuse: boolean) => Promise<PredictModel>;

const realLoader: ModelLoader = async (weights, fuse) => {
  const { loadDetector } = await import("../../yolo/predict/load.js");
  const d = await loadDetector(weights, { fuse });
  return {
    detector: d.model,
    nc: d.nc,
    names: d.names,
    ...(d.imgsz === undefined ? {} : { imgsz: d.imgsz }),
    dispose: () => d.model.dispose(),
  };
};

export function registerPredict(program: Command, ctx: CliContext, load: ModelLoader = realLoader): void {
  program
    .command("predict")
    .description("detect objects in images with a YOLO11 model; writes a run folder of results")
    .argument("<weights>", "our weights (.safetensors) or an Ultralytics checkpoint (.pt)")
    .argument(
      "<images...>",
      "image files or folders of images (a folder's images/ subfolder is used when it has one)",
    )
    .option("--imgsz <px>", "model input size, rounded up to a multiple of 32 (default: 640)")
    .option("--conf <x>", "least confidence kept, 0-1", "0.25")
    .option("--iou <x>", "NMS IoU threshold, 0-1", "0.7")
    .option("--max-det <n>", "most detections per image", "300")
    .option("--agnostic", "NMS across classes (one box per place whatever its class)")
    .option("--batch <n>", "images per forward pass", "8")
    .option("--out <dir>", "new or empty folder for the results (default: <root>/runs/predict/<timestamp>)")
    .option("--save-txt", "write labels/<stem>.txt in YOLO format (cls cx cy w h, normalised)")
    .option("--save-conf", "add each box's confidence to the label lines")
    .option("--save-json", "write predictions.jsonl: one JSON line per image")
    .option("--save-img", "write images/<stem>.png with the boxes drawn")
    .option("--fuse", "fold BatchNorm into convolutions before running (default)", true)
    .option("--no-fuse", "run the model unfused")
    .addHelpText(
      "after",
      "\nWithout any --save-* flag, predictions.jsonl and drawn images are written. Unreadable images are\n" +
        "reported by name and skipped; the exit code is then 1.\n\nExample:\n" +
        "  azaion predict runs/train/exp/weights/best.safetensors ~/azaion/data/images --save-txt --conf 0.4",
    )
    .action(async (weights: string, sources: string[], f: PredictFlags) => {
      const conf = numberOption("--conf", f.conf, 0, 1);
      const iou = numberOption("--iou", f.iou, 0, 1);
      const maxDet = wholeOption("--max-det", f.maxDet, 1, 100_000);
      const batch = wholeOption("--batch", f.batch, 1, 1024);
      const imgszFlag = f.imgsz === undefined ? undefined : wholeOption("--imgsz", f.imgsz, 32, 8192);
      const anySave = f.saveTxt || f.saveJson || f.saveImg;
      const save = {
        txt: f.saveTxt === true || (f.saveConf === true && !anySave),
        conf: f.saveConf === true,
        json: f.saveJson === true || !anySave,
        img: f.saveImg === true || !anySave,
      };
      const files = await listImageFiles(sources.map((s) => resolve(s)));
      if (files.length === 0) throw new UsageError(`no images found in ${sources.join(", ")}`);
      const out = await freshRunDir(f.out, () => dataRootLayout(ctx.config().root).runs, "predict");

      const model = await load(resolve(weights), f.fuse);
      try {
        const predictor = new Predictor(model.detector, {
          imgsz: imgszFlag ?? 640,
          conf,
          iou,
          maxDet,
          agnostic: f.agnostic === true,
        });
        const styles = classStyles(model.names, model.nc, ctx.catalog());
        const writer = await PredictionWriter.create(out, { ...save, styles });
        const log = ctx.problemLog();
        const bar = ctx.progress("predict", files.length, "img");
        const t0 = Date.now();
        try {
          for await (const r of predictor.predictFiles(files, batch)) {
            if ("failure" in r) log.error(r.failure.file, r.failure.error);
            else await writer.write(r.result, r.image);
            bar.tick();
          }
        } finally {
          bar.finish();
          await writer.close();
        }
        const secs = (Date.now() - t0) / 1000;
        ctx.out(
          `predict: ${writer.images} images, ${writer.detections} detections at ${predictor.imgsz} px` +
            ` (${(writer.images / Math.max(secs, 1e-3)).toFixed(1)} img/s) -> ${out}`,
        );
        ctx.summarise(log, "predict");
      } finally {
        model.dispose();
      }
    });
}
