/** What the engine and RKNN builders share: their job description, result, and small file helpers. */
import { stat } from "node:fs/promises";
import type { CalibrationResult } from "./calibration.js";
import type { ExportPlan } from "./plan.js";
import { ToolFailedError } from "./tools.js";

/** What the job reports as it goes (the CLI turns these into progress bars and lines). */
export interface ExportEvents {
  /** A new phase: counted (`total` images), ticking per converter log line ("lines"), or just named. */
  phase(name: string, count?: number | "lines"): void;
  tick(): void;
  info(text: string): void;
}

export interface ConvertJob {
  readonly plan: ExportPlan;
  /** Where the converter writes the model; renamed to plan.output once it is checked. */
  readonly partial: string;
  /** A private scratch folder (calibration data, scripts), removed afterwards. */
  readonly work: string;
  readonly events: ExportEvents;
}

export interface ConvertResult {
  readonly commands: string[];
  readonly converter: Record<string, string>;
  readonly notes: string[];
  readonly calibration?: CalibrationResult & { readonly leftOut: readonly string[] };
}

/** Size of a file a tool says it wrote; an error when it is missing or empty. */
export async function nonEmpty(path: string, what: string): Promise<number> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size === 0) throw new ToolFailedError(`${what} reported success but ${path} is missing or empty`);
  return size;
}
