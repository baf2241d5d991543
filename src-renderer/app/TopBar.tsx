/** The bar above every screen: the screen's title, the data root, the connection and the jobs button. */
import { isActive, useJobsStore } from "../state/jobs.js";
import { useAppStore } from "./app-store.js";

export function ConnectionIndicator() {
  const connection = useAppStore((s) => s.connection);
  const host = useAppStore((s) => s.info?.host);
  const text = connection === "connected" ? "Connected" : "Reconnecting…";
  return (
    <div className={`app-conn app-conn--${connection}`} role="status" aria-label={`Host connection: ${text}`}>
      <span className="app-conn__dot" aria-hidden="true" />
      {text}
      {host === "browser" && connection === "connected" && <span className="dim"> (web host)</span>}
    </div>
  );
}

export function TopBar({
  title,
  jobsOpen,
  onToggleJobs,
}: {
  title: string;
  jobsOpen: boolean;
  onToggleJobs: () => void;
}) {
  const root = useAppStore((s) => s.info?.root);
  const infoError = useAppStore((s) => s.infoError);
  const active = useJobsStore((s) => Object.values(s.jobs).filter(isActive).length);
  return (
    <header className="app-top">
      <h1 className="app-top__title">{title}</h1>
      {root && (
        <span className="app-top__root" title="Data root">
          <span className="dim">root</span> <span className="mono">{root}</span>
        </span>
      )}
      {infoError && (
        <span className="app-top__error" role="alert">
          {infoError}
        </span>
      )}
      <div className="app-top__spacer" />
      <ConnectionIndicator />
      <button
        type="button"
        className={`ui-btn ui-btn--sm ${jobsOpen ? "ui-btn--primary" : ""}`}
        aria-expanded={jobsOpen}
        aria-controls="app-jobs"
        aria-label={active > 0 ? `Jobs (${active} running)` : "Jobs"}
        onClick={onToggleJobs}
      >
        Jobs
        {active > 0 && <span className="app-top__count">{active}</span>}
      </button>
    </header>
  );
}
