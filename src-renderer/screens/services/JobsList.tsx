/** Every job of this host, newest first: state, progress, and Stop / Restart for each. */
import { useMemo, useState, type JSX } from "react";
import type { JobInfo } from "../../../src-workers/host/contract/index.js";
import { jobsNewestFirst, selectProgress, useJobsStore } from "../../state/jobs.js";
import { Button, DataTable, type Column } from "../../ui/index.js";
import { formatDuration } from "../../ui/format.js";
import { canRestart, canStop, describeSpec, KIND_LABEL, timeOf } from "./describe.js";
import { JobCard, StateBadge } from "./JobCard.js";
import { useJobActions } from "./job-actions.js";

function ProgressCell({ job }: { job: JobInfo }): JSX.Element {
  const p = useJobsStore(selectProgress(job.id));
  if (!p) return <span className="muted">–</span>;
  const pct = p.total ? Math.min(100, (p.done / p.total) * 100) : undefined;
  return (
    <span className="jobs-progress">
      <span
        className="jobs-progress__bar"
        role="progressbar"
        aria-label={`Progress of job ${job.id}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct === undefined ? undefined : Math.round(pct)}
      >
        <span style={{ width: `${pct ?? 0}%` }} />
      </span>
      <span className="jobs-progress__text">
        {pct === undefined ? `${p.done} ${p.unit}` : `${pct.toFixed(0)}%`}
        {p.etaSeconds !== undefined && job.state === "running"
          ? ` · ETA ${formatDuration(p.etaSeconds)}`
          : ""}
      </span>
    </span>
  );
}

export function JobsList(): JSX.Element {
  const jobs = useJobsStore((s) => s.jobs);
  const loaded = useJobsStore((s) => s.loaded);
  const loadError = useJobsStore((s) => s.loadError);
  const rows = useMemo(() => jobsNewestFirst(jobs), [jobs]);
  const actions = useJobActions();
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const current = selected ? jobs[selected] : undefined;

  const columns: Column<JobInfo>[] = [
    { key: "id", header: "Job", render: (j) => <span className="mono">{j.id}</span> },
    { key: "kind", header: "Kind", render: (j) => KIND_LABEL[j.spec.kind], sortValue: (j) => j.spec.kind },
    { key: "what", header: "What", render: (j) => describeSpec(j.spec) },
    { key: "state", header: "State", render: (j) => <StateBadge job={j} />, sortValue: (j) => j.state },
    { key: "progress", header: "Progress", render: (j) => <ProgressCell job={j} /> },
    { key: "started", header: "Started", render: (j) => timeOf(j.startedAt), sortValue: (j) => j.startedAt },
    {
      key: "actions",
      header: "Actions",
      render: (j) => (
        <span
          className="jobs-actions"
          onClick={(e) => e.stopPropagation()}
          onKeyDown={(e) => e.stopPropagation()}
        >
          {canStop(j) && (
            <Button
              size="sm"
              variant="danger"
              aria-label={`Stop job ${j.id}`}
              disabled={actions.busy}
              onClick={() => void actions.stop(j.id)}
            >
              Stop
            </Button>
          )}
          {canRestart(j) && (
            <Button
              size="sm"
              variant={j.state === "crashed" || j.state === "failed" ? "primary" : "secondary"}
              aria-label={`Restart job ${j.id}`}
              disabled={actions.busy}
              onClick={() => void actions.restart(j.id)}
            >
              Restart
            </Button>
          )}
        </span>
      ),
    },
  ];

  return (
    <div className="jobs-list">
      {loadError && (
        <p role="alert" className="job-card__error">
          Could not list the jobs: {loadError}
        </p>
      )}
      <DataTable
        label="Jobs of this host"
        columns={columns}
        rows={rows}
        rowKey={(j) => j.id}
        empty={loaded ? "No jobs have run on this host yet." : "Loading…"}
        onRowClick={(j) => setSelected((s) => (s === j.id ? undefined : j.id))}
        selectedKey={selected}
      />
      {current && <JobCard job={current} />}
    </div>
  );
}
