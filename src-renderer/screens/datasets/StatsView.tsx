/** The class x weather table and the box-size histogram of the filtered images (dataset.stats). */
import type { DatasetStats } from "../../../src-workers/host/contract/index.js";
import { formatCount } from "../../ui/format.js";
import { useDatasetsStore } from "./store.js";

function ClassTable({ stats }: { stats: DatasetStats }) {
  const { table } = stats;
  const rows = table.rows.filter((r) => r.total > 0);
  return (
    <div className="ui-table-wrap ds-stats__table">
      <table className="ui-table">
        <caption className="ui-table__caption">Boxes per class and weather mode</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            {table.modes.map((m) => (
              <th key={m} scope="col" className="num">
                {m}
              </th>
            ))}
            <th scope="col" className="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={table.modes.length + 2} className="ui-table__empty">
                No boxes.
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={r.name}>
              <th scope="row">{r.name}</th>
              {r.counts.map((c, i) => (
                <td key={i} className={`num ${c === 0 ? "dim" : ""}`}>
                  {formatCount(c)}
                </td>
              ))}
              <td className="num">{formatCount(r.total)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {table.totals.map((t, i) => (
              <td key={i} className="num">
                {formatCount(t)}
              </td>
            ))}
            <td className="num">{formatCount(table.total)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

const BAR_W = 56;
const CHART_H = 180;
const AXIS_H = 34;

/** Box sizes (longest side in pixels at imgsz) as SVG bars; each bar also reads as text for screen readers. */
function SizeHistogram({ stats }: { stats: DatasetStats }) {
  const max = Math.max(1, ...stats.sizes.map((s) => s.count));
  const width = stats.sizes.length * BAR_W + 8;
  return (
    <figure className="ds-hist">
      <figcaption>
        Box sizes at {stats.imgsz} px · {formatCount(stats.tinyBoxes)} tiny (under {stats.tinyBoxPx} px)
      </figcaption>
      <svg
        width={width}
        height={CHART_H + AXIS_H}
        viewBox={`0 0 ${width} ${CHART_H + AXIS_H}`}
        role="img"
        aria-label={`Box-size histogram: ${stats.sizes.map((s) => `${s.label} px: ${s.count}`).join(", ")}`}
      >
        {stats.sizes.map((s, i) => {
          const h = Math.round((s.count / max) * (CHART_H - 18));
          const x = 4 + i * BAR_W;
          return (
            <g key={s.label}>
              <title>{`${s.label} px: ${formatCount(s.count)} boxes`}</title>
              <rect
                className="ds-hist__bar"
                x={x + 6}
                y={CHART_H - h}
                width={BAR_W - 12}
                height={Math.max(h, s.count > 0 ? 1 : 0)}
                rx={2}
              />
              <text className="ds-hist__count" x={x + BAR_W / 2} y={CHART_H - h - 5} textAnchor="middle">
                {formatCount(s.count)}
              </text>
              <text className="ds-hist__label" x={x + BAR_W / 2} y={CHART_H + 16} textAnchor="middle">
                {s.label}
              </text>
            </g>
          );
        })}
        <line className="ds-hist__axis" x1={0} x2={width} y1={CHART_H + 0.5} y2={CHART_H + 0.5} />
      </svg>
    </figure>
  );
}

export function StatsView() {
  const stats = useDatasetsStore((s) => s.stats);
  const error = useDatasetsStore((s) => s.statsError);
  if (error)
    return (
      <div role="alert" className="ui-field__error">
        Statistics failed: {error}
      </div>
    );
  if (!stats) return <p className="dim">Computing statistics…</p>;
  return (
    <div className="ds-stats">
      <dl className="ds-stats__numbers">
        <div>
          <dt>Images</dt>
          <dd>{formatCount(stats.images)}</dd>
        </div>
        <div>
          <dt>Boxes</dt>
          <dd>{formatCount(stats.boxes)}</dd>
        </div>
        <div>
          <dt>Empty images</dt>
          <dd>{formatCount(stats.emptyImages)}</dd>
        </div>
        <div>
          <dt>Tiny boxes</dt>
          <dd>{formatCount(stats.tinyBoxes)}</dd>
        </div>
      </dl>
      <div className="ds-stats__body">
        <ClassTable stats={stats} />
        <SizeHistogram stats={stats} />
      </div>
    </div>
  );
}
