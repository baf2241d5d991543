/**
 * The engine stage: INT8 calibration (calibration tensor, generated calibrator script, cache) when
 * asked, then trtexec. trtexec and TensorRT's Python package were found before any work started.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { calibrationFiles, writeCalibrationTensor } from "./calibration.js";
import { nonEmpty, type ConvertJob, type ConvertResult } from "./convert-common.js";
import { trtexecArgv, trtexecFacts } from "./tensorrt.js";
import { trtCalibratorScript } from "./trt-calibrator-script.js";
import { quoteArgv, runTool } from "./tools.js";

/** Calibration batches the calibrator script reports (one line each), shown as they come. */
const CALIBRATION_LINE = /^calibration batch/;

export async function buildEngine(job: ConvertJob, trtexec: string): Promise<ConvertResult> {
  const { plan: p, work, events: ev } = job;
  const out: ConvertResult = { commands: [], converter: {}, notes: [] };
  let calibration: ConvertResult["calibration"];
  let cache: string | undefined;
  if (p.precision === "int8") {
    const { files, leftOut } = await calibrationFiles({ data: p.data!, count: p.calibImages });
    ev.phase("calibration images", files.length);
    const tensor = join(work, "calibration.u8");
    calibration = { ...(await writeCalibrationTensor(files, p.imgsz, tensor, () => ev.tick())), leftOut };
    cache = join(work, "calibration.cache");
    const script = join(work, "calibrate.py");
    await writeFile(
      script,
      trtCalibratorScript({
        onnx: p.onnx,
        tensor,
        count: calibration.written,
        imgsz: p.imgsz,
        input: "images",
        batch: p.batch,
        batchMin: 1,
        cache,
      }),
    );
    const argv = [p.python, script];
    out.commands.push(quoteArgv(argv));
    ev.phase("INT8 calibration (TensorRT)", "lines");
    await runTool(argv, (l) => {
      ev.tick();
      if (CALIBRATION_LINE.test(l)) ev.info(l);
    });
    await nonEmpty(cache, "the calibrator");
    out.notes.push(
      "INT8 scales from IInt8EntropyCalibrator2 over the calibration images; FP16 where INT8 does not apply.",
    );
  }
  const argv = trtexecArgv(trtexec, {
    onnx: p.onnx,
    engine: job.partial,
    input: "images",
    imgsz: p.imgsz,
    batchMin: 1,
    batchOpt: p.batch,
    batchMax: p.batch,
    precision: p.precision!,
    ...(cache === undefined ? {} : { calibrationCache: cache }),
  });
  // Recorded with the final engine path (trtexec writes beside it; renamed in when it succeeds).
  out.commands.push(quoteArgv(argv).replace(job.partial, p.output));
  ev.phase("trtexec build", "lines");
  const lines: string[] = [];
  await runTool(argv, (l) => {
    if (lines.length < 200) lines.push(l);
    ev.tick();
  });
  Object.assign(out.converter, { tool: "trtexec", ...trtexecFacts(lines) });
  out.notes.push("The engine runs only on the GPU model and TensorRT version that built it.");
  return { ...out, ...(calibration === undefined ? {} : { calibration }) };
}
