/**
 * `azaion demo`: the main job on the embedded default. It runs the real subcommands one after the
 * other, so the demo is exactly what a user would type: synth -> validate -> augment -> stats -> split -> visualise
 * -> train (a short smoke run) -> val,
 * then Ultralytics interop: import a YOLO11 .pt into our weights format and predict with it. Until
 * training lands, that model is the Ultralytics reference checkpoint the parity tests use (tests/data).
 * Later stages (train, export, infer) join this list as they land.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { packageRoot } from "../../core/package-root.js";
import type { CliContext } from "../context.js";

/** Runs one `azaion` command line in this process; resolves to its exit code. */
export type SubcommandRunner = (argv: readonly string[]) => Promise<number>;

interface DemoOptions {
  readonly count?: string;
  readonly seed?: string;
}

export function registerDemo(program: Command, ctx: CliContext, run: SubcommandRunner): void {
  program
    .command("demo")
    .description(
      "the main job on the embedded default: generate the synthetic dataset, validate it, print its statistics, " +
        "split it into train/valid/test with data.yaml and render a contact sheet (into <repo>/demo unless --root is given)",
    )
    .option("--count <n>", "synthetic images to generate (default: config synth.count)")
    .option("--seed <n>", "seed of the synthetic dataset (default: config synth.seed)")
    .action(async (opts: DemoOptions) => {
      const started = Date.now();
      const root = ctx.globals.root === undefined ? join(packageRoot(), "demo") : ctx.config().root;
      const data = join(root, "data");
      const processed = join(root, "data-processed");
      const datasets = join(root, "datasets");
      const dataset = join(datasets, "demo");
      const sheet = join(root, "demo-sheet.png");
      const reference = join(packageRoot(), "tests", "data", "yolo11");
      const weights = join(root, "weights", "yolo11n-shapes-nc5.safetensors");
      // A fresh run folder each time: train refuses to overwrite a run.
      const runName = `demo-${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`;
      const best = join(root, "runs", runName, "weights", "best.safetensors");
      const onnxModel = join(root, "runs", runName, "exports", "best.onnx");
      const demoVideo = join(root, "demo-flight.mp4");
      const pass = [
        ...(ctx.globals.config === undefined ? [] : ["--config", ctx.globals.config]),
        "--root",
        root,
      ];
      const synth = ["synth", "--out", data, "--force"];
      if (opts.count !== undefined) synth.push("--count", opts.count);
      if (opts.seed !== undefined) synth.push("--seed", opts.seed);
      const steps: { title: string; argv: string[]; before?: () => Promise<void> }[] = [
        { title: "generate the synthetic dataset", argv: synth },
        { title: "validate it", argv: ["validate", data] },
        {
          title: "augment: 1 original + 7 augmented images per source, into data-processed/",
          argv: ["augment", "--once", "--source", data, "--out", processed],
        },
        { title: "statistics of the augmented set", argv: ["stats", processed, "--imgsz", "640"] },
        {
          title: "split 70/20/10 into an Ultralytics dataset",
          argv: ["split", processed, "--out", datasets, "--name", "demo", "--force"],
        },
        {
          title: "contact sheet of the validation split",
          argv: ["visualise", dataset, "--split", "valid", "--out", sheet],
        },
        {
          title:
            "train yolo11n from scratch for 2 epochs at 256 px (a smoke run: expect mAP near 0 this early)",
          argv: [
            "train",
            "--data",
            join(dataset, "data.yaml"),
            "--model",
            "n",
            "--epochs",
            "2",
            "--imgsz",
            "256",
            "--batch",
            "16",
            "--workers",
            "2",
            "--name",
            runName,
          ],
        },
        {
          // train already validated best on the valid split; the held-out test split is the honest figure.
          title: "validate its best weights on the held-out test split",
          argv: [
            "val",
            best,
            "--data",
            join(dataset, "data.yaml"),
            "--split",
            "test",
            "--imgsz",
            "256",
            "--workers",
            "2",
            "--name",
            `${runName}-test`,
          ],
        },
        {
          title: "import an Ultralytics YOLO11n checkpoint (the parity reference) into our weights format",
          argv: ["weights", "import", join(reference, "yolo11n-shapes-nc5.pt"), "--out", weights, "--force"],
        },
        {
          title: "predict with it: labels, JSON lines and drawn images under runs/predict/",
          argv: [
            "predict",
            weights,
            join(reference, "val_00003.jpg"),
            "--imgsz",
            "320",
            "--save-txt",
            "--save-json",
            "--save-img",
          ],
        },
        {
          title:
            "export the trained model to ONNX (NMS inside, dynamic batch 1-8) and run it once in ONNX Runtime",
          argv: ["export", best, "--imgsz", "256", "--out", onnxModel, "--force"],
        },
        {
          title:
            "video inference with ONNX Runtime: every 4th frame, tracks, annotated MP4 under runs/infer/",
          argv: ["infer", onnxModel, demoVideo, "--save-video"],
          // A 4 s video panning over the synthetic images, made just before it is used.
          before: async () => {
            const { makeDemoVideo } = await import("../../inference/demo-video.js");
            await makeDemoVideo(join(data, "images"), demoVideo, ctx.config().inference);
          },
        },
      ];
      for (const [i, step] of steps.entries()) {
        ctx.info(`\n== ${i + 1}/${steps.length} ${step.title}: azaion ${step.argv.join(" ")}`);
        await step.before?.();
        const code = await run([...pass, ...step.argv]);
        if (code !== 0) {
          ctx.info(`demo stopped: step ${i + 1} (${step.argv[0]}) exited with code ${code}`);
          process.exitCode = code;
          return;
        }
      }
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      ctx.out(`\ndemo done in ${secs} s`);
      ctx.out(`  images and labels  ${data}`);
      ctx.out(`  augmented (x8)     ${processed}`);
      ctx.out(`  dataset            ${dataset} (data.yaml inside)`);
      ctx.out(`  contact sheet      ${sheet}`);
      ctx.out(`  training run       ${join(root, "runs", runName)} (results.csv, weights/)`);
      ctx.out(`  YOLO11 weights     ${weights}`);
      ctx.out(`  predictions        ${join(root, "runs", "predict")} (newest folder)`);
      ctx.out(`  ONNX model         ${onnxModel}`);
      ctx.out(
        `  video inference    ${join(root, "runs", "infer")} (newest folder: detections.jsonl, annotated.mp4)`,
      );
    });
}
