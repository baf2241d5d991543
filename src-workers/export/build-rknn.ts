/**
 * The RKNN stage: the calibration list (INT8), the generated rknn-toolkit2 script, its run, and the
 * JSON line it ends with (validated). rknn-toolkit2 was found before any work started.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { calibrationFiles, writeCalibrationList } from "./calibration.js";
import type { ConvertJob, ConvertResult } from "./convert-common.js";
import { rknnScript } from "./rknn.js";
import { quoteArgv, runTool, ToolFailedError } from "./tools.js";

/** The conversion script's last line. */
const RknnResult = z.object({
  ok: z.literal(true),
  output: z.string(),
  bytes: z.number(),
  toolkit: z.string().nullable(),
});
type RknnResult = z.infer<typeof RknnResult>;

function parseResult(line: string): RknnResult | null {
  try {
    const r = RknnResult.safeParse(JSON.parse(line));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export async function buildRknn(job: ConvertJob): Promise<ConvertResult> {
  const { plan: p, work, events: ev } = job;
  let calibration: ConvertResult["calibration"];
  let dataset: string | undefined;
  if (p.precision === "int8") {
    const { files, leftOut } = await calibrationFiles({ data: p.data!, count: p.calibImages });
    ev.phase("calibration images", files.length);
    const list = await writeCalibrationList(files, p.imgsz, work, () => ev.tick());
    calibration = { ...list, leftOut };
    dataset = list.list;
  }
  const script = join(work, "convert_rknn.py");
  await writeFile(
    script,
    rknnScript({
      onnx: p.onnx,
      output: job.partial,
      input: "images",
      imgsz: p.imgsz,
      platform: p.platform,
      quantize: p.precision === "int8",
      ...(dataset === undefined ? {} : { dataset }),
    }),
  );
  const argv = [p.python, script];
  ev.phase(`rknn-toolkit2 (${p.platform})`, "lines");
  let result: RknnResult | null = null;
  await runTool(argv, (l) => {
    ev.tick();
    if (l.startsWith('{"ok"')) result ??= parseResult(l);
  });
  const done = result as RknnResult | null;
  if (done === null) throw new ToolFailedError("rknn-toolkit2 ended without reporting a written model");
  return {
    commands: [quoteArgv(argv)],
    converter: { tool: "rknn-toolkit2", platform: p.platform, version: done.toolkit ?? "unknown" },
    notes: [
      "Batch 1, uint8 RGB input (letterboxed); NMS in the caller's post-processing (outputs as the raw ONNX).",
    ],
    ...(calibration === undefined ? {} : { calibration }),
  };
}
