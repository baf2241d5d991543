/** Where a training run is: epoch and batch, with an ETA from the time this job has run so far. */
import { useEffect, useState, type JSX } from "react";
import type { JobInfo } from "../../../src-workers/host/contract/index.js";
import { isActive, type JobBuffers } from "../../state/jobs.js";
import { ProgressBar } from "../../ui/index.js";

export interface TrainPosition {
  /** Epochs done, fractional (2.5: half way through the third). */
  readonly done: number;
  readonly total: number;
  readonly epoch: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly startEpoch: number;
}

export function trainPosition(buf: JobBuffers, plannedEpochs: number): TrainPosition | undefined {
  const start = buf.trainStart;
  const last = buf.lastBatch;
  const total = start?.epochs ?? plannedEpochs;
  const lastRow = buf.epochs.at(-1)?.["epoch"] ?? 0;
  if (!start && !last) return undefined;
  const per = last?.batchesPerEpoch ?? start?.batchesPerEpoch ?? 1;
  // train.batch's epoch and batch are 1-based.
  const fromBatch = last ? last.epoch - 1 + Math.min(last.batch, per) / per : 0;
  const done = Math.max(fromBatch, lastRow);
  return {
    done: Math.min(done, total),
    total,
    epoch: Math.min(last && last.epoch > lastRow ? last.epoch : lastRow + 1, total),
    batch: last && last.epoch > lastRow ? Math.min(last.batch, per) : 0,
    batchesPerEpoch: per,
    startEpoch: start?.startEpoch ?? 0,
  };
}

/** Epochs (whole, as results.csv holds them) that a run which ended had finished. */
export function epochsFinished(buf: JobBuffers, pos: TrainPosition): number {
  return Math.min(buf.epochs.at(-1)?.["epoch"] ?? Math.floor(pos.done), pos.total);
}

/**
 * The epoch bar's label: the epoch a live run is in, or the last one an ended run finished (the job card's
 * badge says how it ended; the count reads "n / N epochs done").
 */
export function progressLabel(pos: TrainPosition, live: boolean, finished: number): string {
  return `Epoch ${live ? pos.epoch : finished} of ${pos.total}`;
}

/** Seconds left, from the rate of this job (a resumed run counts from where it restarted). */
export function etaSeconds(pos: TrainPosition, startedAtMs: number, nowMs: number): number | undefined {
  const doneHere = pos.done - pos.startEpoch;
  const elapsed = (nowMs - startedAtMs) / 1000;
  if (doneHere <= 0.02 || elapsed <= 0) return undefined;
  return (elapsed / doneHere) * (pos.total - pos.done);
}

export function TrainProgress({
  job,
  buf,
  plannedEpochs,
}: {
  job: JobInfo;
  buf: JobBuffers;
  plannedEpochs: number;
}): JSX.Element | null {
  const [now, setNow] = useState(() => Date.now());
  const running = job.state === "running";
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [running]);
  const pos = trainPosition(buf, plannedEpochs);
  if (!pos)
    return running || job.state === "starting" ? (
      <p className="dim">Preparing the dataset and model…</p>
    ) : null;
  const eta = running ? etaSeconds(pos, Date.parse(job.startedAt), now) : undefined;
  const live = isActive(job);
  const finished = epochsFinished(buf, pos);
  return (
    <div className="train-progress">
      <ProgressBar
        label={progressLabel(pos, live, finished)}
        done={live ? Number(pos.done.toFixed(2)) : finished}
        total={pos.total}
        unit={live ? "epochs" : "epochs done"}
        etaSeconds={eta}
      />
      {live && <ProgressBar label="This epoch" done={pos.batch} total={pos.batchesPerEpoch} unit="batches" />}
    </div>
  );
}
