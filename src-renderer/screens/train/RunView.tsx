/** A run's results: charts, the best epoch, per-class metrics, sample predictions and plot images. */
import type { JSX } from "react";
import type { ResultsRowData, RunDetail } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";
import type { BatchPoint } from "../../state/jobs.js";
import { DataTable, Section, type Column } from "../../ui/index.js";
import { baseName } from "../services/describe.js";
import { fileUrl } from "../services/media.js";
import { SamplesGallery, type SampleSet } from "./SamplesGallery.js";
import { bestEpoch } from "./series.js";
import { TrainCharts } from "./TrainCharts.js";
import { plural } from "../services/plural.js";

export interface RunViewProps {
  readonly rows: readonly ResultsRowData[];
  readonly batches: readonly BatchPoint[];
  readonly epochs?: number;
  readonly samples: readonly SampleSet[];
  readonly detail?: RunDetail;
}

type PerClassRow = Record<string, string>;

function perClassColumns(rows: readonly PerClassRow[]): Column<PerClassRow>[] {
  const keys = Object.keys(rows[0] ?? {});
  return keys.map((k, i) => {
    const numeric = rows.every((r) => r[k] === undefined || r[k] === "" || Number.isFinite(Number(r[k])));
    return {
      key: k,
      header: k,
      align: numeric && i > 0 ? "right" : "left",
      render: (r: PerClassRow) => {
        const v = r[k] ?? "";
        const n = Number(v);
        return numeric && v !== "" && !Number.isInteger(n) ? n.toFixed(3) : v;
      },
      sortValue: (r: PerClassRow) => (numeric ? Number(r[k]) : r[k]),
    };
  });
}

/** Plots first (results, PR curve, confusion matrix), sample images are shown by the gallery. */
function plotImages(detail: RunDetail | undefined): string[] {
  return (detail?.images ?? []).filter((p) => !/[\\/]samples[\\/]/.test(p));
}

export function RunView({ rows, batches, epochs, samples, detail }: RunViewProps): JSX.Element {
  const api = useApi();
  const best = bestEpoch(rows);
  const perClass = detail?.perClass ?? [];
  const plots = plotImages(detail);
  return (
    <div className="run-view">
      {best && (
        <p className="run-view__best" role="status">
          Best epoch {best.epoch}: mAP50 {best.map50.toFixed(3)}, mAP50-95 {best.map5095.toFixed(3)} (
          {plural(rows.length, "epoch")} recorded)
        </p>
      )}
      <TrainCharts rows={rows} batches={batches} epochs={epochs} />
      <Section title="Per-class metrics">
        {perClass.length > 0 ? (
          <DataTable
            className="per-class"
            label="Per-class metrics"
            columns={perClassColumns(perClass)}
            rows={perClass}
            rowKey={(r, i) => `${i}-${Object.values(r)[0] ?? ""}`}
          />
        ) : (
          <p className="dim">Written when the run ends (per_class.csv).</p>
        )}
      </Section>
      <Section title="Sample predictions">
        <SamplesGallery samples={samples} />
      </Section>
      {plots.length > 0 && (
        <Section title="Plots">
          <ul className="plots__grid" aria-label="Plots">
            {plots.map((p) => (
              <li key={p}>
                <figure>
                  <a href={fileUrl(api, p)} target="_blank" rel="noreferrer">
                    <img src={fileUrl(api, p)} alt={baseName(p)} loading="lazy" />
                  </a>
                  <figcaption>{baseName(p)}</figcaption>
                </figure>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}
