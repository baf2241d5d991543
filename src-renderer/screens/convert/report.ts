/** <out>/convert-report.json as `azaion convert` writes it (data/convert/report.ts), checked on read. */
import { z } from "zod";
import { problemSchema } from "../../../src-workers/host/contract/index.js";

const count = z.number().int().nonnegative();

export const convertReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  input: z.string(),
  out: z.string(),
  mapping: z.string().nullable(),
  mode: z.string().nullable(),
  images: z.object({ read: count, written: count, copied: count, missing: count }),
  objects: z.record(z.string(), z.number()),
  classes: z.record(z.string(), z.number()),
  unmapped: z.record(z.string(), z.number()),
  errors: count,
  warnings: count,
  problems: z.array(problemSchema),
  files: z.array(z.string()),
});
export type ConvertReportData = z.infer<typeof convertReportSchema>;

export function reportPathOf(out: string): string {
  return `${out.replace(/[\\/]+$/, "")}/convert-report.json`;
}
