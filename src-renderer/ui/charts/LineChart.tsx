/**
 * A small SVG line chart: several series on shared axes with nice ticks, a legend that hides and shows
 * series, and a readout of every series at the hovered x (mouse, or arrow keys when focused).
 */
import { useCallback, useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { JSX, KeyboardEvent, PointerEvent, RefObject } from "react";
import { formatDecade, formatTick, formatValue, logScale, niceScale, type Scale } from "./ticks.js";
import "./charts.css";

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
}

export interface ChartSeries {
  readonly id: string;
  readonly label: string;
  /** Any CSS colour, a theme variable included. */
  readonly colour: string;
  readonly points: readonly ChartPoint[];
  readonly dashed?: boolean;
}

export interface LineChartProps {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly xLabel?: string;
  readonly height?: number;
  /** Fix the y domain's low end (losses and metrics start at 0). */
  readonly yMin?: number;
  readonly yMax?: number;
  /** Fix the x domain (a training run's epochs, so the chart does not rescale as it grows). */
  readonly xMax?: number;
  /** Offer a log-scale y axis (losses of very different sizes on one chart). */
  readonly logToggle?: boolean;
}

const PAD = { left: 52, right: 14, top: 10, bottom: 34 } as const;

function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(480);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth || 480);
    const ro = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w && w > 0) setWidth(w);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

/** Index of the item whose x is nearest to `x` (items sorted by x). */
function nearest<T>(items: readonly T[], xOf: (item: T) => number, x: number): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = items[mid];
    if ((m === undefined ? 0 : xOf(m)) < x) lo = mid + 1;
    else hi = mid;
  }
  const prev = items[lo - 1];
  const here = items[lo];
  if (prev !== undefined && here !== undefined && Math.abs(xOf(prev) - x) <= Math.abs(xOf(here) - x))
    return lo - 1;
  return lo;
}

const pointX = (p: ChartPoint): number => p.x;
const itself = (v: number): number => v;

export function LineChart(props: LineChartProps): JSX.Element {
  const { title, series, xLabel, height = 220 } = props;
  const [boxRef, width] = useWidth();
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [hoverX, setHoverX] = useState<number | undefined>(undefined);
  const [log, setLog] = useState(false);
  // On a log axis a value is drawn at its log10; values <= 0 have no place there and are left out.
  const ty = useCallback((y: number) => (log ? (y > 0 ? Math.log10(y) : Number.NaN) : y), [log]);
  const titleId = useId();

  const visible = useMemo(
    () => series.filter((s) => !hidden.has(s.id) && s.points.length > 0),
    [series, hidden],
  );
  // For tests and people alike: how much the chart shows (it grows as a run trains).
  const pointCount = visible.reduce((n, s) => n + s.points.length, 0);
  const allX = useMemo(() => {
    const xs = new Set<number>();
    for (const s of visible) for (const p of s.points) xs.add(p.x);
    return [...xs].sort((a, b) => a - b);
  }, [visible]);

  const { xs, ys } = useMemo(() => {
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (const s of visible)
      for (const p of s.points) {
        const y = ty(p.y);
        if (!Number.isFinite(y)) continue;
        x0 = Math.min(x0, p.x);
        x1 = Math.max(x1, p.x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [0, 1, 0, 1];
    if (props.xMax !== undefined) x1 = Math.max(x1, props.xMax);
    if (!log && props.yMin !== undefined) y0 = Math.min(y0, props.yMin);
    if (!log && props.yMax !== undefined) y1 = Math.max(y1, props.yMax);
    const ys: Scale = log ? logScale(y0, y1) : niceScale(y0, y1, 4);
    return { xs: niceScale(Math.min(x0, 0), x1, Math.max(2, Math.floor(width / 90))), ys };
  }, [visible, width, props.xMax, props.yMin, props.yMax, log, ty]);

  const plotW = Math.max(width - PAD.left - PAD.right, 10);
  const plotH = Math.max(height - PAD.top - PAD.bottom, 10);
  const sx = useCallback((x: number) => PAD.left + ((x - xs.min) / (xs.max - xs.min)) * plotW, [xs, plotW]);
  /** A position on the (possibly log) axis: ticks are given in it. */
  const axisY = useCallback(
    (v: number) => PAD.top + (1 - (v - ys.min) / (ys.max - ys.min)) * plotH,
    [ys, plotH],
  );
  const sy = useCallback((y: number) => axisY(ty(y)), [axisY, ty]);

  const onPointer = (e: PointerEvent<SVGSVGElement>): void => {
    if (allX.length === 0) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const x = xs.min + ((e.clientX - rect.left - PAD.left) / plotW) * (xs.max - xs.min);
    setHoverX(allX[nearest(allX, itself, x)]);
  };
  const onKey = (e: KeyboardEvent<SVGSVGElement>): void => {
    if (allX.length === 0) return;
    const i = hoverX === undefined ? allX.length - 1 : allX.indexOf(hoverX);
    let next = i;
    if (e.key === "ArrowLeft") next = Math.max(0, i - 1);
    else if (e.key === "ArrowRight") next = Math.min(allX.length - 1, i + 1);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = allX.length - 1;
    else if (e.key === "Escape") return setHoverX(undefined);
    else return;
    e.preventDefault();
    setHoverX(allX[next]);
  };

  const readout =
    hoverX === undefined
      ? []
      : visible.map((s) => {
          const p = s.points[nearest(s.points, pointX, hoverX)];
          return { s, p };
        });

  const toggle = (id: string): void =>
    setHidden((h) => {
      const next = new Set(h);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <figure className="az-chart" aria-labelledby={titleId}>
      <figcaption className="az-chart__head">
        <span id={titleId} className="az-chart__title">
          {title}
        </span>
        {props.logToggle && (
          <button
            type="button"
            className="az-chart__log"
            aria-pressed={log}
            aria-label={`Log scale for ${title}`}
            title="Logarithmic y axis"
            onClick={() => setLog((v) => !v)}
          >
            log
          </button>
        )}
      </figcaption>
      <div ref={boxRef} className="az-chart__plot">
        <svg
          width={width}
          height={height}
          role="img"
          aria-label={`${title} chart`}
          data-points={pointCount}
          tabIndex={0}
          onPointerMove={onPointer}
          onPointerLeave={() => setHoverX(undefined)}
          onKeyDown={onKey}
          onBlur={() => setHoverX(undefined)}
        >
          {ys.ticks.map((t) => (
            <g key={`y${t}`}>
              <line
                className="az-chart__grid"
                x1={PAD.left}
                x2={PAD.left + plotW}
                y1={axisY(t)}
                y2={axisY(t)}
              />
              <text
                className="az-chart__tick"
                x={PAD.left - 6}
                y={axisY(t)}
                textAnchor="end"
                dominantBaseline="middle"
              >
                {log ? formatDecade(t) : formatTick(t, ys.step)}
              </text>
            </g>
          ))}
          {xs.ticks.map((t) => (
            <text
              key={`x${t}`}
              className="az-chart__tick"
              x={sx(t)}
              y={PAD.top + plotH + 16}
              textAnchor="middle"
            >
              {formatTick(t, xs.step)}
            </text>
          ))}
          <line
            className="az-chart__axis"
            x1={PAD.left}
            x2={PAD.left + plotW}
            y1={PAD.top + plotH}
            y2={PAD.top + plotH}
          />
          <line className="az-chart__axis" x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + plotH} />
          {xLabel && (
            <text className="az-chart__label" x={PAD.left + plotW / 2} y={height - 4} textAnchor="middle">
              {xLabel}
            </text>
          )}
          {visible.map((s) => (
            <polyline
              key={s.id}
              className="az-chart__line"
              fill="none"
              stroke={s.colour}
              strokeDasharray={s.dashed ? "5 4" : undefined}
              points={s.points
                .filter((p) => Number.isFinite(ty(p.y)))
                .map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
                .join(" ")}
            />
          ))}
          {visible.map((s) =>
            s.points.length === 1 && s.points[0] ? (
              <circle
                key={`${s.id}-dot`}
                cx={sx(s.points[0].x)}
                cy={sy(s.points[0].y)}
                r={3}
                fill={s.colour}
              />
            ) : null,
          )}
          {hoverX !== undefined && (
            <g>
              <line
                className="az-chart__cursor"
                x1={sx(hoverX)}
                x2={sx(hoverX)}
                y1={PAD.top}
                y2={PAD.top + plotH}
              />
              {readout.map(({ s, p }) =>
                p ? <circle key={s.id} cx={sx(p.x)} cy={sy(p.y)} r={3.5} fill={s.colour} /> : null,
              )}
            </g>
          )}
        </svg>
        {hoverX !== undefined && readout.length > 0 && (
          <div
            className="az-chart__readout"
            role="status"
            style={sx(hoverX) > width / 2 ? { right: width - sx(hoverX) + 10 } : { left: sx(hoverX) + 10 }}
          >
            <div className="az-chart__readout-x">
              {xLabel ?? "x"} {formatValue(hoverX)}
            </div>
            {readout.map(({ s, p }) => (
              <div key={s.id}>
                <span className="az-chart__swatch" style={{ background: s.colour }} /> {s.label}:{" "}
                {p ? formatValue(p.y) : "—"}
              </div>
            ))}
          </div>
        )}
        {visible.length === 0 && <div className="az-chart__empty">No data yet</div>}
      </div>
      <ul className="az-chart__legend" aria-label={`${title} series`}>
        {series.map((s) => (
          <li key={s.id}>
            <button
              type="button"
              className="az-chart__legend-item"
              aria-pressed={!hidden.has(s.id)}
              aria-label={`Show ${s.label} in ${title}`}
              onClick={() => toggle(s.id)}
            >
              <span
                className="az-chart__swatch"
                style={{ background: hidden.has(s.id) ? "transparent" : s.colour, borderColor: s.colour }}
              />
              {s.label}
            </button>
          </li>
        ))}
      </ul>
    </figure>
  );
}
