/**
 * Augmentation over the work queue. A job is one source image (+ its label) under the shared data
 * root; a worker runs the augmentation service's own processor on it (the same 8 outputs, the same
 * record, the same temp-file-and-rename commit), then fsyncs the folders it changed, and only then
 * is the job acked. Idempotent by the source's content hash: a job whose source is unchanged since
 * its outputs were made (a redelivery after the outputs were committed, a second submit) writes
 * nothing new. Each job has its own temporary folder, .augment/work/<job id>/, which the next
 * attempt at that job clears first: a worker killed mid-job leaves nothing behind for good.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { imageLabelDirs, stemOf } from "../core/layout.js";
import { openRunner, type SourceRunner } from "../augment/pool.js";
import { Quarantine } from "../augment/quarantine.js";
import { decide, listSources } from "../augment/scan.js";
import {
  augmentPaths,
  deleteRecord,
  loadRecords,
  readRecord,
  removeOutputs,
  type AugmentPaths,
} from "../augment/state.js";
import { fsyncFile } from "../queue/durable.js";
import { inRoot, newJobId, type AugmentJob } from "./jobs.js";
import type { JobOutcome } from "./worker.js";

/** Where each job keeps its temporary files (under <out>/.augment/). */
export function jobWorkDir(paths: AugmentPaths, id: string): string {
  return join(paths.meta, "work", id);
}

export interface AugmentWorkOptions {
  readonly root: string;
  /** URL of the variant module (the pipeline). */
  readonly variantModule: string;
  /** Sources processed at once (worker threads), normally the prefetch. */
  readonly threads: number;
}

export class AugmentJobRunner {
  /** One runner per output folder (its threads know their folder); in practice one. */
  private readonly runners = new Map<string, Promise<SourceRunner>>();

  constructor(private readonly o: AugmentWorkOptions) {}

  async handle(job: AugmentJob): Promise<JobOutcome> {
    const source = inRoot(this.o.root, job.source);
    const out = inRoot(this.o.root, job.out);
    if (source === out) return { kind: "poison", reason: "source and out are the same folder" };
    const dirs = imageLabelDirs(source);
    const paths = augmentPaths(out);
    const stem = stemOf(job.image);
    const work = jobWorkDir(paths, job.id);
    await rm(work, { recursive: true, force: true });
    const rec = await readRecord(paths, stem);
    const doneHash = rec && rec.seed === job.seed && rec.image === job.image ? rec.hash : null;
    const runner = await this.runnerFor(out);
    const result = await runner.run({
      stem,
      imagePath: join(dirs.images, job.image),
      labelPath: join(dirs.labels, `${stem}.txt`),
      seed: job.seed,
      doneHash,
      tmpDir: work,
    });
    await rm(work, { recursive: true, force: true });
    switch (result.kind) {
      case "done":
      case "unchanged":
        await syncAll([paths.images, paths.labels, paths.state, join(paths.meta, "work")]);
        return {
          kind: "done",
          note: result.kind === "done" ? `8 images, ${result.boxes} boxes` : "up to date (same content hash)",
        };
      case "quarantined":
        // Outputs of an earlier version of a now-bad source would train on stale data.
        if (rec !== null) {
          await removeOutputs(paths, stem);
          await deleteRecord(paths, stem);
          await syncAll([paths.images, paths.labels, paths.state]);
        }
        return { kind: "poison", reason: `${result.file}: ${result.reason}` };
      case "failed":
        return { kind: "retry", reason: `${result.file}: ${result.reason}` };
      case "vanished":
        return { kind: "done", note: "the source image is gone: nothing to do" };
    }
  }

  private runnerFor(out: string): Promise<SourceRunner> {
    let r = this.runners.get(out);
    if (!r) {
      r = openRunner({ variantModule: this.o.variantModule, out }, this.o.threads);
      this.runners.set(out, r);
    }
    return r;
  }

  async close(): Promise<void> {
    for (const r of this.runners.values()) await (await r).close();
  }
}

async function syncAll(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((p) => fsyncFile(p)));
}

export interface AugmentPlan {
  readonly jobs: AugmentJob[];
  /** Sources whose outputs are complete and unchanged. */
  readonly upToDate: number;
  /** Sources the service quarantined (unchanged since): not submitted. */
  readonly quarantined: number;
  /** Stems with more than one image: not submitted, one line each. */
  readonly problems: readonly string[];
}

/**
 * The jobs for every source of `source` whose outputs in `out` are missing or stale, decided as the
 * service decides a pass (scan.ts: file sizes and times against the records; the content hash then
 * settles it in the worker).
 */
export async function planAugmentJobs(
  root: string,
  rel: { readonly source: string; readonly out: string },
  seed: number,
): Promise<AugmentPlan> {
  const dirs = imageLabelDirs(inRoot(root, rel.source));
  const paths = augmentPaths(inRoot(root, rel.out));
  const listing = await listSources(dirs);
  const records = await loadRecords(paths);
  const quarantine = await Quarantine.load(paths.quarantine);
  const jobs: AugmentJob[] = [];
  const problems: string[] = [];
  let upToDate = 0;
  let quarantined = 0;
  for (const [stem, names] of [...listing].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const d = await decide(stem, names, { dirs, seed, records, quarantine });
    if (d.kind === "done") upToDate++;
    else if (d.kind === "quarantined") quarantined++;
    else if (d.kind === "duplicate") problems.push(`${d.file}: ${d.reason}`);
    else if (d.kind === "job") {
      const image = d.job.imagePath.slice(dirs.images.length + 1);
      jobs.push({ type: "augment", v: 1, id: newJobId(), source: rel.source, out: rel.out, image, seed });
    }
  }
  return { jobs, upToDate, quarantined, problems };
}
