/**
 * One strip per class showing when it was detected; click a strip to seek there. Focused, a strip is a
 * slider over the video's time: arrow keys jump to the class's next or previous appearance.
 */
import type { JSX, KeyboardEvent, MouseEvent } from "react";
import type { ClassTrack } from "./overlay.js";
import { plural } from "../services/plural.js";

export interface TimelineProps {
  readonly tracks: readonly ClassTrack[];
  readonly duration: number;
  readonly time: number;
  readonly hidden: ReadonlySet<number>;
  readonly colourOf: (cls: number) => string;
  readonly onSeek: (time: number) => void;
}

function fmtTime(t: number): string {
  const m = Math.floor(t / 60);
  const s = t - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

export function Timeline({ tracks, duration, time, hidden, colourOf, onSeek }: TimelineProps): JSX.Element {
  const span = Math.max(duration, 1e-6);
  const click = (e: MouseEvent<HTMLDivElement>): void => {
    const r = e.currentTarget.getBoundingClientRect();
    onSeek(Math.min(Math.max(((e.clientX - r.left) / r.width) * span, 0), duration));
  };
  const key =
    (t: ClassTrack) =>
    (e: KeyboardEvent<HTMLDivElement>): void => {
      const starts = t.spans.map((s) => s[0]);
      let target: number | undefined;
      if (e.key === "ArrowRight" || e.key === "ArrowDown") target = starts.find((s) => s > time + 1e-3);
      else if (e.key === "ArrowLeft" || e.key === "ArrowUp")
        target = [...starts].reverse().find((s) => s < time - 1e-3);
      else if (e.key === "Home") target = 0;
      else if (e.key === "End") target = starts.at(-1);
      else return;
      e.preventDefault();
      if (target !== undefined) onSeek(target);
    };
  if (tracks.length === 0) return <p className="dim">No detections above the confidence.</p>;
  return (
    <div className="timeline" aria-label="Per-class timeline" role="group">
      {tracks.map((t) => {
        const onScreen = t.spans.reduce((a, s) => a + (s[1] - s[0]), 0);
        return (
          <div key={t.cls} className={`timeline__row ${hidden.has(t.cls) ? "timeline__row--hidden" : ""}`}>
            <span className="timeline__name" title={t.name}>
              {t.name}
            </span>
            <div
              className="timeline__strip"
              role="slider"
              tabIndex={0}
              aria-label={`${t.name} timeline`}
              aria-valuemin={0}
              aria-valuemax={Number(duration.toFixed(2))}
              aria-valuenow={Number(time.toFixed(2))}
              aria-valuetext={`${fmtTime(time)}; ${t.name} on screen ${fmtTime(onScreen)} in ${plural(t.spans.length, "span")}`}
              onClick={click}
              onKeyDown={key(t)}
            >
              {t.spans.map(([a, b]) => (
                <span
                  key={a}
                  className="timeline__span"
                  style={{
                    left: `${(a / span) * 100}%`,
                    width: `max(3px, ${((b - a) / span) * 100}%)`,
                    background: colourOf(t.cls),
                  }}
                />
              ))}
              <span
                className="timeline__head"
                style={{ left: `${(time / span) * 100}%` }}
                aria-hidden="true"
              />
            </div>
          </div>
        );
      })}
    </div>
  );
}
