/** One headless service (queue consumer or augmentation): its status.json, its job, start / stop / restart. */
import type { JSX } from "react";
import type { JobInfo, ServicesStatus } from "../../../src-workers/host/contract/index.js";
import { Button, Panel } from "../../ui/index.js";
import { formatCount } from "../../ui/format.js";
import { canRestart, timeOf } from "./describe.js";
import { StateBadge } from "./JobCard.js";

export type ServiceState = ServicesStatus["queue"];

export interface ServiceRow {
  readonly label: string;
  readonly value: string;
}

export interface ServicePanelProps {
  readonly title: string;
  /** "queue consumer", "augmentation": used in the buttons' names. */
  readonly name: string;
  readonly service: ServiceState | undefined;
  /** The newest job of this kind on this host (to show a crash and offer a restart). */
  readonly latestJob: JobInfo | undefined;
  readonly rows: readonly ServiceRow[];
  readonly lastError: string | undefined;
  readonly busy: boolean;
  readonly onStart: () => void;
  readonly onStop: (jobId: string) => void;
  readonly onRestart: (jobId: string) => void;
}

export function num(status: Record<string, unknown> | null | undefined, key: string): number | undefined {
  const v = status?.[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function str(status: Record<string, unknown> | null | undefined, key: string): string | undefined {
  const v = status?.[key];
  return typeof v === "string" ? v : undefined;
}

export function countText(v: number | undefined): string {
  return v === undefined ? "–" : formatCount(v);
}

export function rateText(v: number | undefined, unit: string): string {
  return v === undefined ? "–" : `${v.toFixed(v >= 10 ? 1 : 2)} ${unit}/s`;
}

export function ServicePanel(props: ServicePanelProps): JSX.Element {
  const { title, name, service, latestJob, rows } = props;
  const running = service?.running ?? false;
  const ownJobId = service?.jobId;
  const elsewhere = running && ownJobId === undefined;
  const state = str(service?.status, "state");
  const crashed =
    !running && latestJob !== undefined && (latestJob.state === "crashed" || latestJob.state === "failed");
  const updated = str(service?.status, "updatedAt");

  return (
    <Panel
      title={title}
      actions={
        <>
          {!running && !crashed && (
            <Button variant="primary" disabled={props.busy || service === undefined} onClick={props.onStart}>
              Start {name}
            </Button>
          )}
          {ownJobId !== undefined && (
            <Button variant="danger" disabled={props.busy} onClick={() => props.onStop(ownJobId)}>
              Stop {name}
            </Button>
          )}
          {crashed && latestJob && canRestart(latestJob) && (
            <Button variant="primary" disabled={props.busy} onClick={() => props.onRestart(latestJob.id)}>
              Restart {name}
            </Button>
          )}
        </>
      }
    >
      <div className="service">
        <p
          className={`service__running ${running ? "service__running--on" : ""}`}
          role="status"
          aria-label={`${title} state`}
        >
          <span className="service__dot" aria-hidden="true" />
          {service === undefined
            ? "Reading status…"
            : running
              ? `Running${state ? ` (${state})` : ""}${elsewhere ? ", by another process" : ""}`
              : `Not running${state ? ` (last state: ${state}${updated ? `, ${timeOf(updated)}` : ""})` : ""}`}
        </p>
        {crashed && latestJob && (
          <div className="job-card__error" role="alert">
            <strong>
              {latestJob.state === "crashed" ? `The ${name} crashed` : `The ${name} failed`}
              {latestJob.exitCode !== undefined && latestJob.exitCode !== null
                ? ` (exit code ${latestJob.exitCode})`
                : ""}
            </strong>{" "}
            <StateBadge job={latestJob} />
            {latestJob.error && <pre className="job-card__error-text">{latestJob.error}</pre>}
          </div>
        )}
        {service?.status === null ? (
          <p className="dim">It has never run on this data root.</p>
        ) : (
          <dl className="kv">
            {rows.map((r) => (
              <div key={r.label} className="kv__row">
                <dt>{r.label}</dt>
                <dd>{r.value}</dd>
              </div>
            ))}
            <div className="kv__row">
              {/* What the service wrote to its status file; a worker that died writes nothing there. */}
              <dt>Last error reported</dt>
              <dd className={props.lastError ? "service__error" : ""}>{props.lastError ?? "none"}</dd>
            </div>
          </dl>
        )}
      </div>
    </Panel>
  );
}
