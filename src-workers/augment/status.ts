/**
 * .augment/status.json: what the UI shows about the running service. Written atomically (readers
 * never see half a file) and at most once a second, plus at every change of state.
 */
import { StatusFile } from "../core/status-file.js";

export type ServiceState =
  "starting" | "scanning" | "processing" | "idle" | "stopping" | "stopped" | "failed";

export interface AugmentStatus {
  state: ServiceState;
  mode: "once" | "watch";
  pid: number;
  seed: number;
  workers: number;
  source: string;
  out: string;
  startedAt: string;
  updatedAt: string;
  /** Full scans made so far. */
  passes: number;
  /** Sources turned into 8 pairs by this run. */
  processed: number;
  /** Sources found already done (or still quarantined and unchanged). */
  skipped: number;
  /** Sources quarantined or failed in this run. */
  failed: number;
  /** Sources whose outputs were removed because the source was deleted. */
  removed: number;
  /** Entries in quarantine.json now. */
  quarantined: number;
  queue: number;
  inFlight: number;
  /** Processed sources per second over the last RATE_WINDOW_S seconds (core/status-file.ts). */
  imagesPerSecond: number;
  lastError: { file: string; reason: string; time: string } | null;
}

/** The status of a service that has not started work yet. */
export function initialStatus(
  fields: Pick<AugmentStatus, "mode" | "seed" | "workers" | "source" | "out">,
): AugmentStatus {
  const now = new Date().toISOString();
  const zero = { passes: 0, processed: 0, skipped: 0, failed: 0, removed: 0, quarantined: 0 };
  return {
    ...fields,
    ...zero,
    state: "starting",
    pid: process.pid,
    startedAt: now,
    updatedAt: now,
    queue: 0,
    inFlight: 0,
    imagesPerSecond: 0,
    lastError: null,
  };
}

export function errorEntry(file: string, reason: string): AugmentStatus["lastError"] {
  return { file, reason, time: new Date().toISOString() };
}

/** status.json of the augmentation service; the rate is processed sources per second. */
export function statusWriter(file: string, status: AugmentStatus): StatusFile<AugmentStatus> {
  return new StatusFile(file, status, (st, rate) => (st.imagesPerSecond = rate));
}
