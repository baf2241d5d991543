/**
 * Services: the RabbitMQ annotation queue consumer and the augmentation service (their status.json,
 * pushed by the host as `services` events), and every job of this host with Stop / Restart.
 */
import { useEffect, useState, type JSX } from "react";
import type { ServicesStatus } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";
import { jobsNewestFirst, useJobsConnection, useJobsStore } from "../../state/jobs.js";
import { Panel } from "../../ui/index.js";
import { JobsList } from "./JobsList.js";
import { countText, num, rateText, ServicePanel, str, type ServiceRow } from "./ServicePanel.js";
import { useJobActions } from "./job-actions.js";
import "./jobs.css";
import "./services.css";
import { plural } from "./plural.js";

/** The host pushes changes; a slow poll also catches a service run by another process. */
const POLL_MS = 5000;

function errorText(status: Record<string, unknown> | null | undefined): string | undefined {
  const e = status?.["lastError"];
  if (!e || typeof e !== "object") return undefined;
  const rec = e as Record<string, unknown>;
  const parts = [rec["file"], rec["reason"]].filter((p): p is string => typeof p === "string");
  const time = typeof rec["time"] === "string" ? ` (${new Date(rec["time"]).toLocaleString()})` : "";
  return parts.length > 0 ? `${parts.join(": ")}${time}` : undefined;
}

function queueRows(s: ServicesStatus["queue"] | undefined): ServiceRow[] {
  const st = s?.status;
  const offset = st?.["offset"];
  const lag = num(st, "lag");
  return [
    { label: "Offset", value: typeof offset === "number" ? String(offset) : "none yet" },
    { label: "Lag", value: lag === undefined ? "–" : plural(lag, "message") },
    { label: "Rate", value: s?.running ? rateText(num(st, "messagesPerSecond"), "msg") : "–" },
    { label: "Written", value: countText(num(st, "written")) },
    { label: "Deleted", value: countText(num(st, "deleted")) },
    { label: "Quarantined (this run)", value: countText(num(st, "quarantined")) },
    { label: "Quarantined items", value: countText(s?.quarantined) },
    { label: "Reconnects", value: countText(num(st, "reconnects")) },
    { label: "Waiting for", value: str(st, "waitingFor") ?? "–" },
    {
      label: "Broker",
      value: [str(st, "broker"), str(st, "brokerVersion")].filter(Boolean).join(" ") || "–",
    },
    { label: "Stream", value: str(st, "stream") ?? "–" },
  ];
}

function augmentRows(s: ServicesStatus["augment"] | undefined): ServiceRow[] {
  const st = s?.status;
  return [
    { label: "Mode", value: str(st, "mode") ?? "–" },
    { label: "Rate", value: s?.running ? rateText(num(st, "imagesPerSecond"), "img") : "–" },
    { label: "Processed", value: countText(num(st, "processed")) },
    { label: "Skipped", value: countText(num(st, "skipped")) },
    { label: "Failed", value: countText(num(st, "failed")) },
    { label: "Removed", value: countText(num(st, "removed")) },
    { label: "Quarantined items", value: countText(s?.quarantined) },
    {
      label: "Queued / in flight",
      value: `${countText(num(st, "queue"))} / ${countText(num(st, "inFlight"))}`,
    },
    { label: "Passes", value: countText(num(st, "passes")) },
    { label: "Source", value: str(st, "source") ?? "–" },
  ];
}

function useServicesStatus(): { status: ServicesStatus | undefined; error: string | undefined } {
  const api = useApi();
  const [status, setStatus] = useState<ServicesStatus | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    const read = (): void => {
      api.call("services.status", {}).then(
        (s) => {
          if (!alive) return;
          setStatus(s);
          setError(undefined);
        },
        (err: unknown) => alive && setError(err instanceof Error ? err.message : String(err)),
      );
    };
    const off = api.onEvent((ev) => {
      if (ev.event === "services") setStatus(ev.status);
      // A service's job ending changes "running" before its next status write.
      if (ev.event === "job.state" && (ev.job.spec.kind === "queue" || ev.job.spec.kind === "augment"))
        read();
    });
    read();
    const timer = setInterval(read, POLL_MS);
    return () => {
      alive = false;
      off();
      clearInterval(timer);
    };
  }, [api]);
  return { status, error };
}

export function ServicesScreen(): JSX.Element {
  useJobsConnection();
  const { status, error } = useServicesStatus();
  const jobs = useJobsStore((s) => s.jobs);
  const actions = useJobActions();
  const latestQueue = jobsNewestFirst(jobs, "queue")[0];
  const latestAugment = jobsNewestFirst(jobs, "augment")[0];
  const common = {
    busy: actions.busy,
    onStop: (id: string) => void actions.stop(id),
    onRestart: (id: string) => void actions.restart(id),
  };
  return (
    <div className="screen services-screen">
      <h1 className="screen__title">Services</h1>
      {error && (
        <p className="notice notice--error" role="alert">
          Could not read the services' status: {error}
        </p>
      )}
      <div className="services-grid">
        <ServicePanel
          title="Annotation queue consumer"
          name="queue consumer"
          service={status?.queue}
          latestJob={latestQueue}
          rows={queueRows(status?.queue)}
          lastError={errorText(status?.queue.status)}
          onStart={() => void actions.start({ kind: "queue" })}
          {...common}
        />
        <ServicePanel
          title="Augmentation"
          name="augmentation"
          service={status?.augment}
          latestJob={latestAugment}
          rows={augmentRows(status?.augment)}
          lastError={errorText(status?.augment.status)}
          onStart={() => void actions.start({ kind: "augment", watch: true })}
          {...common}
        />
      </div>
      <Panel title="All jobs">
        <JobsList />
      </Panel>
    </div>
  );
}
