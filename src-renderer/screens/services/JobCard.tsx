/**
 * One job as a screen follows it: what it runs, its state, progress, error, Stop / Restart, and its log.
 * Every screen that starts jobs shows its current job with this.
 */
import type { JSX, ReactNode } from "react";
import type { JobInfo } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";
import { isActive, selectBuffers, selectProgress, useJobsStore } from "../../state/jobs.js";
import { Button, JobProgressBar } from "../../ui/index.js";
import { canRestart, canStop, commandLine, describeSpec, STATE_LABEL, timeOf } from "./describe.js";
import { useJobActions } from "./job-actions.js";
import { fileUrl } from "./media.js";
import "./jobs.css";
import { plural } from "./plural.js";

export function StateBadge({ job }: { job: JobInfo }): JSX.Element {
  return (
    <span className={`job-state job-state--${job.state}`}>
      {job.state === "crashed" && <span aria-hidden="true">⚠ </span>}
      {STATE_LABEL[job.state]}
    </span>
  );
}

export interface JobCardProps {
  readonly job: JobInfo;
  /** What a Restart does for this kind ("Resume" for training). */
  readonly restartLabel?: string;
  readonly hideRestart?: boolean;
  /** The screen shows its own progress (training: epochs and batches). */
  readonly hideProgress?: boolean;
  /** Lines of the log to show (open by default when the job failed). */
  readonly logLines?: number;
  readonly children?: ReactNode;
  readonly onRestarted?: (job: JobInfo) => void;
  /** What a failure means for this kind (a conversion exits 1 when some input had errors). */
  readonly failureTitle?: (job: JobInfo) => string | undefined;
}

export function JobCard(props: JobCardProps): JSX.Element {
  const { job, restartLabel = "Restart", logLines = 80 } = props;
  const progress = useJobsStore(selectProgress(job.id));
  const log = useJobsStore(selectBuffers(job.id)).log;
  const actions = useJobActions();
  const api = useApi();
  const failed = job.state === "failed" || job.state === "crashed";
  const shown = (log.length > 0 ? log : job.logTail).slice(-logLines);
  return (
    <div
      className={`job-card job-card--${job.state}`}
      aria-label={`Job ${job.id}`}
      role="group"
      data-job-id={job.id}
      data-job-state={job.state}
    >
      <div className="job-card__head">
        <span className="job-card__title">{describeSpec(job.spec)}</span>
        <StateBadge job={job} />
        <span className="job-card__time">
          started {timeOf(job.startedAt)}
          {job.endedAt ? `, ended ${timeOf(job.endedAt)}` : ""}
        </span>
        <span className="job-card__actions">
          {canStop(job) && (
            <Button
              variant="danger"
              size="sm"
              disabled={actions.busy}
              onClick={() => void actions.stop(job.id)}
            >
              Stop
            </Button>
          )}
          {canRestart(job) && !props.hideRestart && (
            <Button
              size="sm"
              variant={failed ? "primary" : "secondary"}
              disabled={actions.busy}
              onClick={() =>
                void actions.restart(job.id).then((j) => {
                  if (j) props.onRestarted?.(j);
                })
              }
            >
              {restartLabel}
            </Button>
          )}
        </span>
      </div>
      {progress && !props.hideProgress && isActive(job) && <JobProgressBar progress={progress} />}
      {failed && (
        <div className="job-card__error" role="alert">
          <strong>
            {job.state === "crashed" ? "The worker crashed" : (props.failureTitle?.(job) ?? "The job failed")}
          </strong>
          {job.exitCode !== undefined && job.exitCode !== null ? ` (exit code ${job.exitCode})` : ""}
          {job.error && !/^exit code -?\d+$/.test(job.error.trim()) ? (
            <pre className="job-card__error-text">{job.error}</pre>
          ) : null}
        </div>
      )}
      {props.children}
      <details className="job-card__log" open={failed}>
        <summary>Log ({plural(shown.length, "line")})</summary>
        <code className="job-card__argv">{commandLine(job)}</code>
        {job.logFile && (
          <a className="job-card__full-log" href={fileUrl(api, job.logFile)} target="_blank" rel="noreferrer">
            Full log of job {job.id}
          </a>
        )}
        <pre className="job-card__log-text" tabIndex={0} aria-label={`Log of job ${job.id}`}>
          {shown.join("\n") || "(nothing yet)"}
        </pre>
      </details>
    </div>
  );
}
