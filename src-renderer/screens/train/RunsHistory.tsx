/** Every run under runs/: name, model, epochs, best mAP; a row opens the run. */
import type { JSX } from "react";
import type { RunSummary } from "../../../src-workers/host/contract/index.js";
import { DataTable, type Column } from "../../ui/index.js";

const fmt = (v: number | undefined): string => (v === undefined ? "–" : v.toFixed(3));

const columns: Column<RunSummary>[] = [
  {
    key: "name",
    header: "Run",
    render: (r) => <span className="mono">{r.name}</span>,
    sortValue: (r) => r.name,
  },
  { key: "model", header: "Model", render: (r) => r.model ?? "–", sortValue: (r) => r.model },
  {
    key: "imgsz",
    header: "Image size",
    align: "right",
    render: (r) => (r.imgsz ? String(r.imgsz) : "–"),
    sortValue: (r) => r.imgsz,
  },
  {
    key: "epochs",
    header: "Epochs",
    align: "right",
    render: (r) => `${r.epochsDone}${r.epochs !== undefined ? ` / ${r.epochs}` : ""}`,
    sortValue: (r) => r.epochsDone,
  },
  {
    key: "map50",
    header: "Best mAP50",
    align: "right",
    render: (r) => fmt(r.bestMap50),
    sortValue: (r) => r.bestMap50,
  },
  {
    key: "map",
    header: "Best mAP50-95",
    align: "right",
    render: (r) => fmt(r.bestMap5095),
    sortValue: (r) => r.bestMap5095,
  },
  {
    key: "state",
    header: "Weights",
    render: (r) =>
      [r.best ? "best" : "", r.last ? "last" : "", r.resumable ? "resumable" : ""]
        .filter(Boolean)
        .join(", ") || "–",
  },
  {
    key: "modified",
    header: "Modified",
    render: (r) => new Date(r.modifiedAt).toLocaleString(),
    sortValue: (r) => r.modifiedAt,
  },
];

export function RunsHistory({
  runs,
  selected,
  onOpen,
}: {
  runs: readonly RunSummary[];
  selected?: string;
  onOpen: (name: string) => void;
}): JSX.Element {
  return (
    <DataTable
      label="Training runs"
      columns={columns}
      rows={runs}
      rowKey={(r) => r.name}
      initialSort={{ key: "modified", direction: "desc" }}
      onRowClick={(r) => onOpen(r.name)}
      selectedKey={selected}
      empty="No runs yet."
    />
  );
}
