/**
 * Which job a screen shows: the one it started, else the newest of its kind on this host (so a page
 * opened while a job runs picks it up).
 */
import { useState } from "react";
import type { JobInfo, JobKind } from "../../../src-workers/host/contract/index.js";
import { jobsNewestFirst, useJobsConnection, useJobsStore } from "../../state/jobs.js";

export function useFollowedJob(kind: JobKind): [JobInfo | undefined, (id: string | undefined) => void] {
  useJobsConnection();
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const job = useJobsStore((s) => (chosen !== undefined ? s.jobs[chosen] : jobsNewestFirst(s.jobs, kind)[0]));
  return [job, setChosen];
}
