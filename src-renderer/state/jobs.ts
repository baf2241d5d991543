/**
 * The jobs the host runs, as every screen sees them: `jobs.list` once at start, then kept current from the
 * host's `job.state` and `job.event` pushes. Each job's events are folded into small, bounded buffers
 * (log tail, latest progress, training curves, sample images) so a long run cannot grow the renderer's
 * memory without limit; the raw event stream is not kept.
 */
import { useEffect } from "react";
import { create } from "zustand";
import type {
  HostEvent,
  JobEvent,
  JobInfo,
  JobKind,
  Progress,
  ResultsRowData,
} from "../../src-workers/host/contract/index.js";
import { useApi } from "../api/context.js";
import { onReconnect } from "../api/reconnect.js";
import type { AzaionApi } from "../api/types.js";

/** Bounds of the per-job buffers. */
export const LIMITS = { log: 500, batchPoints: 1500, epochs: 5000, samples: 40 } as const;

export type TrainStart = Extract<JobEvent, { type: "train.start" }>;

/** One point of the within-epoch running mean losses; x is in epochs (the first epoch half done: 0.5). */
export interface BatchPoint {
  readonly x: number;
  readonly box: number;
  readonly cls: number;
  readonly dfl: number;
}

/** The last train.batch: epoch and batch 1-based, as the events carry them. */
export interface BatchPosition {
  readonly epoch: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
}

export interface JobBuffers {
  readonly log: readonly string[];
  readonly progress?: Progress;
  readonly trainStart?: TrainStart;
  readonly batches: readonly BatchPoint[];
  readonly lastBatch?: BatchPosition;
  /** results.csv rows as the epochs end, keyed and ordered by their (1-based) epoch. */
  readonly epochs: readonly ResultsRowData[];
  readonly samples: readonly { readonly epoch: number; readonly files: readonly string[] }[];
  readonly result?: Readonly<Record<string, string>>;
}

export const EMPTY_BUFFERS: JobBuffers = { log: [], batches: [], epochs: [], samples: [] };

export interface JobsState {
  readonly jobs: Readonly<Record<string, JobInfo>>;
  readonly buffers: Readonly<Record<string, JobBuffers>>;
  /** jobs.list has answered (or failed: then `loadError`). */
  readonly loaded: boolean;
  readonly loadError?: string;
}

function bounded<T>(list: readonly T[], item: T, limit: number): T[] {
  const next = list.length >= limit ? list.slice(list.length - limit + 1) : list.slice();
  next.push(item);
  return next;
}

/** Keep every other point when the buffer is full: the curve keeps its whole span at half the detail. */
function thinned(points: readonly BatchPoint[], item: BatchPoint, limit: number): BatchPoint[] {
  const base = points.length >= limit ? points.filter((_, i) => i % 2 === 1) : points.slice();
  base.push(item);
  return base;
}

function epochOf(row: ResultsRowData, fallback: number): number {
  const e = row["epoch"];
  return typeof e === "number" && Number.isFinite(e) ? e : fallback;
}

/** Fold one job event into the job's buffers (pure: returns new buffers). */
export function applyJobEvent(buf: JobBuffers, ev: JobEvent): JobBuffers {
  switch (ev.type) {
    case "log":
      return { ...buf, log: bounded(buf.log, ev.line, LIMITS.log) };
    case "progress":
      return { ...buf, progress: ev.progress };
    case "train.start": {
      // A resumed run starts again from its checkpoint: drop curves past the restart point.
      const keepEpochs = buf.epochs.filter((r) => epochOf(r, 0) <= ev.startEpoch);
      const batches = buf.batches.filter((p) => p.x <= ev.startEpoch);
      return { ...buf, trainStart: ev, epochs: keepEpochs, batches };
    }
    case "train.batch": {
      const [box, cls, dfl] = ev.meanLoss;
      const per = Math.max(ev.batchesPerEpoch, 1);
      // Epoch and batch are 1-based (cli/commands/train-events.ts): batch 3 of 4 in epoch 2 is x = 1.75.
      const point = { x: ev.epoch - 1 + Math.min(ev.batch, per) / per, box, cls, dfl };
      const lastBatch = { epoch: ev.epoch, batch: ev.batch, batchesPerEpoch: ev.batchesPerEpoch };
      return { ...buf, batches: thinned(buf.batches, point, LIMITS.batchPoints), lastBatch };
    }
    case "train.epoch": {
      const epoch = epochOf(ev.row, ev.epoch);
      const row = { ...ev.row, epoch };
      const others = buf.epochs.filter((r) => epochOf(r, -1) !== epoch);
      others.push(row);
      others.sort((a, b) => epochOf(a, 0) - epochOf(b, 0));
      return { ...buf, epochs: others.slice(-LIMITS.epochs) };
    }
    case "train.samples": {
      const others = buf.samples.filter((s) => s.epoch !== ev.epoch);
      return { ...buf, samples: bounded(others, { epoch: ev.epoch, files: ev.files }, LIMITS.samples) };
    }
    case "result":
      return { ...buf, result: { ...buf.result, ...ev.paths } };
  }
}

/** Fold one host event into the state (pure). Events other than jobs leave it unchanged. */
export function applyHostEvent(state: JobsState, ev: HostEvent): JobsState {
  if (ev.event === "job.state") {
    return { ...state, jobs: { ...state.jobs, [ev.job.id]: ev.job } };
  }
  if (ev.event === "job.event") {
    const buf = state.buffers[ev.jobId] ?? EMPTY_BUFFERS;
    return { ...state, buffers: { ...state.buffers, [ev.jobId]: applyJobEvent(buf, ev.data) } };
  }
  return state;
}

/**
 * Merge a jobs.list answer. A record pushed since we subscribed (`seen`) is newer than the list's, so
 * the list only fills in jobs we have not heard about; a job's log tail seeds an empty log buffer.
 */
export function applyJobList(
  state: JobsState,
  list: readonly JobInfo[],
  seen: ReadonlySet<string>,
): JobsState {
  const jobs = { ...state.jobs };
  const buffers = { ...state.buffers };
  for (const job of list) {
    if (!seen.has(job.id)) jobs[job.id] = job;
    const buf = buffers[job.id] ?? EMPTY_BUFFERS;
    if (buf.log.length === 0 && job.logTail.length > 0) {
      buffers[job.id] = { ...buf, log: job.logTail.slice(-LIMITS.log) };
    }
  }
  return { ...state, jobs, buffers, loaded: true, loadError: undefined };
}

export const useJobsStore = create<JobsState>()(() => ({ jobs: {}, buffers: {}, loaded: false }));

let connected: { api: AzaionApi; dispose: () => void } | undefined;

/**
 * Start keeping the store current from `api` (idempotent: a second call with the same api does
 * nothing). Subscribes before listing so no state change falls between the two; after a reconnect the
 * list is read again, as pushes may have been missed.
 */
export function connectJobs(api: AzaionApi): () => void {
  if (connected?.api === api) return connected.dispose;
  connected?.dispose();
  let seen = new Set<string>();
  const load = (): void => {
    const seenAtCall = seen;
    api.call("jobs.list", {}).then(
      (list) => useJobsStore.setState((s) => applyJobList(s, list, seenAtCall)),
      (err: unknown) =>
        useJobsStore.setState({ loaded: true, loadError: err instanceof Error ? err.message : String(err) }),
    );
  };
  const offEvent = api.onEvent((ev) => {
    if (ev.event === "job.state") seen.add(ev.job.id);
    if (ev.event === "job.state" || ev.event === "job.event") {
      useJobsStore.setState((s) => applyHostEvent(s, ev));
    }
  });
  const offConn = onReconnect(api, () => {
    seen = new Set();
    load();
  });
  load();
  const dispose = (): void => {
    offEvent();
    offConn();
    if (connected?.api === api) connected = undefined;
  };
  connected = { api, dispose };
  return dispose;
}

/**
 * Make sure the store follows the host (for screens; the app shell may also call connectJobs at start).
 * The connection outlives the screen: other screens read the same store.
 */
export function useJobsConnection(): void {
  const api = useApi();
  useEffect(() => {
    connectJobs(api);
  }, [api]);
}

// Selectors. Those returning buffers return the stored objects themselves (stable between renders).

export const selectBuffers =
  (id: string | undefined) =>
  (s: JobsState): JobBuffers =>
    (id === undefined ? undefined : s.buffers[id]) ?? EMPTY_BUFFERS;

/** The job's latest progress: from its events, else from its record (a job started before this page). */
export const selectProgress =
  (id: string | undefined) =>
  (s: JobsState): Progress | undefined =>
    id === undefined ? undefined : (s.buffers[id]?.progress ?? s.jobs[id]?.progress);

export const ACTIVE_STATES: ReadonlySet<JobInfo["state"]> = new Set(["starting", "running", "stopping"]);

export function isActive(job: JobInfo | undefined): boolean {
  return job !== undefined && ACTIVE_STATES.has(job.state);
}

/** Jobs newest first (startedAt is ISO 8601, so strings sort by time). */
export function jobsNewestFirst(jobs: Readonly<Record<string, JobInfo>>, kind?: JobKind): JobInfo[] {
  return Object.values(jobs)
    .filter((j) => kind === undefined || j.spec.kind === kind)
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
}
