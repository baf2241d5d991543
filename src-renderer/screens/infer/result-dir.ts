/** Where an inference job wrote its outputs: its result event, else its --out, else its log. */
import type { JobInfo } from "../../../src-workers/host/contract/index.js";

export function inferOutputDir(
  job: JobInfo,
  result: Readonly<Record<string, string>> | undefined,
  log: readonly string[],
): string | undefined {
  const r = result ?? job.result;
  const named = r?.["dir"] ?? r?.["out"];
  if (named) return named;
  if (job.spec.kind === "infer" && job.spec.out) return job.spec.out;
  const file =
    r &&
    Object.values(r).find((p) => /[\\/](run\.json|detections\.jsonl|summary\.csv|annotated\.mp4)$/.test(p));
  if (file) return file.replace(/[\\/][^\\/]+$/, "");
  for (const line of [...log].reverse()) {
    const m = /(\/\S*[\\/]runs[\\/]infer[\\/][^\s'"]+)/.exec(line);
    if (m?.[1])
      return m[1]
        .replace(/[\\/](run\.json|detections\.jsonl|summary\.csv|annotated\.mp4)$/, "")
        .replace(/[.,:;]$/, "");
  }
  return undefined;
}
