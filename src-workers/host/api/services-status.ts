/** services.status: the queue consumer's and the augmentation service's status files, locks and quarantine. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Quarantine } from "../../augment/quarantine.js";
import { augmentPaths } from "../../augment/state.js";
import { dataRootLayout } from "../../core/layout.js";
import { quarantineCount } from "../../queue/quarantine.js";
import { queuePaths } from "../../queue/status.js";
import type { ServicesStatus } from "../contract/runs.js";

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    const v: unknown = JSON.parse(await readFile(file, "utf8"));
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Whether a live process holds a pid lock file (the services' own convention, core/pid-lock.ts). */
export async function lockHeld(file: string): Promise<boolean> {
  const pid = Number((await readFile(file, "utf8").catch(() => "")).trim());
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function servicesStatus(
  root: string,
  jobs: { queue?: string; augment?: string } = {},
): Promise<ServicesStatus> {
  const layout = dataRootLayout(root);
  const q = queuePaths(layout.queueOffset);
  const a = augmentPaths(join(root, "data-processed"));
  const [qStatus, qRunning, qCount, aStatus, aRunning, aQuarantine] = await Promise.all([
    readJson(q.status),
    lockHeld(q.lock),
    quarantineCount(q.quarantine).catch(() => 0),
    readJson(a.status),
    lockHeld(a.lock),
    Quarantine.load(a.quarantine).catch(() => undefined),
  ]);
  return {
    queue: {
      status: qStatus,
      running: qRunning || jobs.queue !== undefined,
      quarantined: qCount,
      ...(jobs.queue ? { jobId: jobs.queue } : {}),
    },
    augment: {
      status: aStatus,
      running: aRunning || jobs.augment !== undefined,
      quarantined: aQuarantine?.size ?? 0,
      ...(jobs.augment ? { jobId: jobs.augment } : {}),
    },
  };
}
