/** The jobs area: every job of this host with its state and progress; stop, restart and the log's tail. */
import { useState } from "react";
import type { JobInfo } from "../../src-workers/host/contract/index.js";
import { useApi } from "../api/context.js";
import { Button } from "../ui/Button.js";
import { JobProgressBar } from "../ui/ProgressBar.js";
import { notify } from "../ui/toast-store.js";
import { isActive, jobsNewestFirst, selectBuffers, selectProgress, useJobsStore } from "../state/jobs.js";
import { STATE_LABEL } from "../screens/services/describe.js";
import { jobTitle } from "./app-store.js";

function JobCard({ job }: { job: JobInfo }) {
  const api = useApi();
  const [showLog, setShowLog] = useState(false);
  const progress = useJobsStore(selectProgress(job.id));
  const liveLog = useJobsStore((s) => selectBuffers(job.id)(s).log);
  const log = liveLog.length > 0 ? liveLog.slice(-200) : job.logTail;
  const title = jobTitle(job);
  const act = (method: "jobs.stop" | "jobs.restart") => {
    api
      .call(method, { id: job.id })
      .catch((e: unknown) =>
        notify.error(`Could not ${method === "jobs.stop" ? "stop" : "restart"} ${title}`, e),
      );
  };
  return (
    <li className={`app-job app-job--${job.state}`} aria-label={`${title}: ${STATE_LABEL[job.state]}`}>
      <div className="app-job__head">
        <span className="app-job__title">{title}</span>
        <span className={`app-badge app-badge--${job.state}`}>{STATE_LABEL[job.state]}</span>
      </div>
      {progress && isActive(job) && <JobProgressBar progress={progress} />}
      {job.error && <div className="app-job__error">{job.error}</div>}
      <div className="app-job__actions">
        {isActive(job) ? (
          <Button
            size="sm"
            variant="danger"
            disabled={job.state === "stopping"}
            onClick={() => act("jobs.stop")}
            aria-label={`Stop ${title}`}
          >
            Stop
          </Button>
        ) : (
          job.spec.kind !== "augment" &&
          job.spec.kind !== "queue" && (
            <Button size="sm" onClick={() => act("jobs.restart")} aria-label={`Run ${title} again`}>
              {job.spec.kind === "train" ? "Resume / rerun" : "Run again"}
            </Button>
          )
        )}
        <Button
          size="sm"
          variant="ghost"
          aria-expanded={showLog}
          onClick={() => setShowLog((v) => !v)}
          aria-label={`Log of ${title}`}
        >
          {showLog ? "Hide log" : "Log"}
        </Button>
      </div>
      {showLog && (
        <pre className="app-job__log" tabIndex={0} aria-label={`Last log lines of ${title}`}>
          {[`$ azaion ${job.argv.join(" ")}`, ...log].join("\n")}
        </pre>
      )}
    </li>
  );
}

export function JobsPanel({ onClose }: { onClose: () => void }) {
  const jobs = jobsNewestFirst(useJobsStore((s) => s.jobs));
  return (
    <aside id="app-jobs" className="app-jobs" aria-label="Jobs">
      <header className="app-jobs__header">
        <h2>Jobs</h2>
        <Button size="sm" variant="ghost" aria-label="Close jobs" onClick={onClose}>
          ✕
        </Button>
      </header>
      {jobs.length === 0 ? (
        <p className="dim app-jobs__empty">No jobs yet. Jobs started from any screen show here.</p>
      ) : (
        <ul className="app-jobs__list">
          {jobs.map((j) => (
            <JobCard key={j.id} job={j} />
          ))}
        </ul>
      )}
    </aside>
  );
}
