/** A labelled progress bar with count, rate and ETA (the contract's Progress, or plain numbers). */
import type { Progress } from "../../src-workers/host/contract/index.js";
import { formatCount, formatDuration, formatRate } from "./format.js";

export interface ProgressBarProps {
  label: string;
  done: number;
  /** Absent: indeterminate. */
  total?: number;
  unit?: string;
  rate?: number;
  etaSeconds?: number;
  className?: string;
}

export function ProgressBar({
  label,
  done,
  total,
  unit = "",
  rate,
  etaSeconds,
  className,
}: ProgressBarProps) {
  const fraction = total && total > 0 ? Math.min(1, Math.max(0, done / total)) : undefined;
  const count = total !== undefined ? `${formatCount(done)} / ${formatCount(total)}` : formatCount(done);
  const parts = [
    `${count}${unit ? ` ${unit}` : ""}`,
    rate !== undefined ? formatRate(rate, unit || "it") : "",
    etaSeconds !== undefined ? `ETA ${formatDuration(etaSeconds)}` : "",
  ].filter(Boolean);
  return (
    <div className={`ui-progress ${className ?? ""}`}>
      <div className="ui-progress__text">
        <span className="ui-progress__label">{label}</span>
        <span className="ui-progress__detail">{parts.join(" · ")}</span>
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total ?? undefined}
        aria-valuenow={total !== undefined ? done : undefined}
        aria-valuetext={parts.join(", ")}
        className={`ui-progress__track ${fraction === undefined ? "ui-progress__track--indeterminate" : ""}`}
      >
        <div className="ui-progress__fill" style={{ width: `${((fraction ?? 0.3) * 100).toFixed(2)}%` }} />
      </div>
    </div>
  );
}

export function JobProgressBar({ progress, className }: { progress: Progress; className?: string }) {
  return (
    <ProgressBar
      label={progress.label}
      done={progress.done}
      total={progress.total}
      unit={progress.unit}
      rate={progress.rate}
      etaSeconds={progress.etaSeconds}
      className={className}
    />
  );
}
