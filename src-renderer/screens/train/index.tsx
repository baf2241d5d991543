/**
 * Train: start, stop and resume a training run, watch it live (losses, metrics, LR, samples), and open
 * any past run from the history to see its curves, per-class table and plots.
 */
import { useMemo, useState, type JSX } from "react";
import type { JobInfo } from "../../../src-workers/host/contract/index.js";
import { selectBuffers, useJobsStore } from "../../state/jobs.js";
import { Button, Panel } from "../../ui/index.js";
import { useFollowedJob } from "../services/follow-job.js";
import { JobCard } from "../services/JobCard.js";
import { useJobActions } from "../services/job-actions.js";
import { useRunDetail, useRuns } from "./run-data.js";
import { RunsHistory } from "./RunsHistory.js";
import { RunView } from "./RunView.js";
import { mergeRows } from "./series.js";
import { TrainForm } from "./TrainForm.js";
import { TrainProgress } from "./TrainProgress.js";
import "../services/jobs.css";
import "./train.css";

function absolute(file: string, dir: string | undefined): string {
  return /^([\\/]|[A-Za-z]:)/.test(file) || !dir ? file : `${dir.replace(/[\\/]+$/, "")}/${file}`;
}

export function TrainScreen(): JSX.Element {
  const [job, follow] = useFollowedJob("train");
  const buf = useJobsStore(selectBuffers(job?.id));
  const actions = useJobActions();
  const [opened, setOpened] = useState<string | undefined>(undefined);

  const spec = job?.spec.kind === "train" ? job.spec : undefined;
  const liveName = spec?.name;
  const viewName = opened ?? liveName;
  const live = viewName !== undefined && viewName === liveName;
  // Re-read the run as epochs end and when the job's state changes (per_class.csv and plots come last).
  const refresh = `${job?.id ?? ""}:${job?.state ?? ""}:${buf.epochs.length}`;
  const runs = useRuns(refresh);
  const detail = useRunDetail(viewName, live ? refresh : opened);

  const rows = useMemo(
    () => (live ? mergeRows(detail.data?.results ?? [], buf.epochs) : (detail.data?.results ?? [])),
    [live, detail.data, buf.epochs],
  );
  const samples = useMemo(() => {
    const stored = detail.data?.samples ?? [];
    if (!live) return stored;
    const dir = buf.trainStart?.saveDir ?? detail.data?.path;
    const byEpoch = new Map(stored.map((s) => [s.epoch, s]));
    for (const s of buf.samples)
      byEpoch.set(s.epoch, { epoch: s.epoch, files: s.files.map((f) => absolute(f, dir)) });
    return [...byEpoch.values()];
  }, [live, detail.data, buf.samples, buf.trainStart]);
  const plannedEpochs = live ? (buf.trainStart?.epochs ?? spec?.epochs) : (detail.data?.epochs ?? undefined);
  // A job started or restarted from the form becomes the one shown.
  const showStarted = (started: Promise<JobInfo | undefined>): void =>
    void started.then((j) => {
      if (j) {
        follow(j.id);
        setOpened(undefined);
      }
    });

  return (
    <div className="screen train-screen">
      <h1 className="screen__title">Train</h1>
      <Panel title="Training run">
        <TrainForm
          job={job}
          runs={runs.data ?? []}
          busy={actions.busy}
          onStart={(s) => showStarted(actions.start(s))}
          onStop={(id) => void actions.stop(id)}
          onRestart={(id) => showStarted(actions.restart(id))}
        />
      </Panel>
      {viewName !== undefined && (
        <Panel
          title={live ? `Monitor: ${viewName}` : `Run: ${viewName}`}
          actions={
            !live && liveName !== undefined ? (
              <Button size="sm" onClick={() => setOpened(undefined)}>
                Show the current job
              </Button>
            ) : undefined
          }
        >
          <div className="train-monitor">
            {live && job && (
              <JobCard
                job={job}
                hideProgress
                hideRestart={job.state === "done"}
                restartLabel="Resume"
                onRestarted={(j) => follow(j.id)}
                logLines={40}
              >
                <TrainProgress job={job} buf={buf} plannedEpochs={spec?.epochs ?? 0} />
              </JobCard>
            )}
            {detail.error && (
              <p className="notice notice--error" role="alert">
                Could not read runs/{viewName}: {detail.error}
              </p>
            )}
            <RunView
              rows={rows}
              batches={live ? buf.batches : []}
              epochs={plannedEpochs}
              samples={samples}
              detail={detail.data}
            />
          </div>
        </Panel>
      )}
      <Panel title="History">
        {runs.error && (
          <p className="notice notice--error" role="alert">
            Could not list the runs: {runs.error}
          </p>
        )}
        <RunsHistory
          runs={runs.data ?? []}
          selected={viewName}
          onOpen={(n) => setOpened(n === liveName ? undefined : n)}
        />
      </Panel>
    </div>
  );
}
