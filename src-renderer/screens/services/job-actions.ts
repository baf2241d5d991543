/** Stop and restart a job, with the host's refusal shown as a toast. */
import { useCallback, useState } from "react";
import type { JobInfo, JobSpecInput } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";
import { notify } from "../../ui/index.js";

export interface JobActions {
  /** A call is in flight. */
  readonly busy: boolean;
  start(spec: JobSpecInput): Promise<JobInfo | undefined>;
  stop(id: string): Promise<void>;
  restart(id: string): Promise<JobInfo | undefined>;
}

export function useJobActions(): JobActions {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const guarded = useCallback(async <T>(title: string, run: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    try {
      return await run();
    } catch (err) {
      notify.error(title, err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const start = useCallback(
    (spec: JobSpecInput) => guarded("Could not start the job", () => api.call("jobs.start", { spec })),
    [api, guarded],
  );
  const stop = useCallback(
    async (id: string) => {
      await guarded("Could not stop the job", () => api.call("jobs.stop", { id }));
    },
    [api, guarded],
  );
  const restart = useCallback(
    (id: string) => guarded("Could not restart the job", () => api.call("jobs.restart", { id })),
    [api, guarded],
  );
  return { busy, start, stop, restart };
}
