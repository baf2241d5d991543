/** The five training charts: train losses, val losses, precision / recall, mAP, learning rate. */
import { useMemo, type JSX } from "react";
import type { ResultsRowData } from "../../../src-workers/host/contract/index.js";
import type { BatchPoint } from "../../state/jobs.js";
import { LineChart } from "../../ui/charts/index.js";
import { lrSeries, mapSeries, precisionRecallSeries, trainLossSeries, valLossSeries } from "./series.js";

export interface TrainChartsProps {
  readonly rows: readonly ResultsRowData[];
  readonly batches: readonly BatchPoint[];
  /** The run's planned epochs: the x axis spans them from the start. */
  readonly epochs?: number;
}

export function TrainCharts({ rows, batches, epochs }: TrainChartsProps): JSX.Element {
  const train = useMemo(() => trainLossSeries(rows, batches), [rows, batches]);
  const val = useMemo(() => valLossSeries(rows), [rows]);
  const pr = useMemo(() => precisionRecallSeries(rows), [rows]);
  const map = useMemo(() => mapSeries(rows), [rows]);
  const lr = useMemo(() => lrSeries(rows), [rows]);
  return (
    <div className="train-charts">
      <LineChart title="Training losses" series={train} xLabel="epoch" yMin={0} xMax={epochs} logToggle />
      <LineChart title="Validation losses" series={val} xLabel="epoch" yMin={0} xMax={epochs} logToggle />
      <LineChart title="Precision and recall" series={pr} xLabel="epoch" yMin={0} yMax={1} xMax={epochs} />
      <LineChart title="mAP" series={map} xLabel="epoch" yMin={0} yMax={1} xMax={epochs} />
      <LineChart title="Learning rate" series={lr} xLabel="epoch" yMin={0} xMax={epochs} logToggle />
    </div>
  );
}
