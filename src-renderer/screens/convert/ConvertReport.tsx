/** The conversion's report: counts, classes written, unmapped labels and the problems by file and line. */
import { useEffect, useState, type JSX } from "react";
import type { Problem } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";
import { DataTable, Section, type Column } from "../../ui/index.js";
import { formatCount } from "../../ui/format.js";
import { fetchJson } from "../services/media.js";
import { convertReportSchema, reportPathOf, type ConvertReportData } from "./report.js";
import { plural } from "../services/plural.js";

const problemColumns: Column<Problem>[] = [
  {
    key: "severity",
    header: "Severity",
    render: (p) => <span className={`sev sev--${p.severity}`}>{p.severity}</span>,
    sortValue: (p) => p.severity,
  },
  {
    key: "file",
    header: "File",
    render: (p) => <span className="mono">{p.file}</span>,
    sortValue: (p) => p.file,
  },
  {
    key: "line",
    header: "Line",
    align: "right",
    render: (p) => (p.line === undefined ? "" : String(p.line)),
    sortValue: (p) => p.line,
  },
  { key: "field", header: "Field", render: (p) => p.field ?? "" },
  { key: "message", header: "Message", render: (p) => p.message },
];

type Pair = readonly [string, number];
const pairColumns = (what: string, n: string): Column<Pair>[] => [
  { key: "name", header: what, render: (r) => r[0], sortValue: (r) => r[0] },
  { key: "n", header: n, align: "right", render: (r) => formatCount(r[1]), sortValue: (r) => r[1] },
];

export function ConvertReport({ out, jobId }: { out: string; jobId: string }): JSX.Element {
  const api = useApi();
  const [report, setReport] = useState<ConvertReportData | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    fetchJson(api, reportPathOf(out), convertReportSchema).then(
      (r) => alive && setReport(r),
      (e: unknown) => alive && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      alive = false;
    };
  }, [api, out, jobId]);

  if (error)
    return <p className="notice notice--warn">No report to show ({error}); the job's log is above.</p>;
  if (!report) return <p className="dim">Reading the report…</p>;
  const o = report.objects;
  return (
    <Section title="Report">
      <div className="convert-report">
        <p
          className={`notice ${report.errors > 0 ? "notice--error" : report.warnings > 0 ? "notice--warn" : "notice--ok"}`}
          role="status"
        >
          {report.errors > 0 ? plural(report.errors, "error") : "No errors"},{" "}
          {plural(report.warnings, "warning")}. Images: {formatCount(report.images.read)} read,{" "}
          {formatCount(report.images.written)}{" "}
          {report.to === "coco" ? "in annotations.json" : "label files written"},{" "}
          {formatCount(report.images.copied)} placed, {formatCount(report.images.missing)} not found. Objects:{" "}
          {formatCount(o["mapped"] ?? 0)} converted, {formatCount(o["unmapped"] ?? 0)} unmapped,{" "}
          {formatCount(o["ignored"] ?? 0)} ignored by the mapping, {formatCount(o["dropped"] ?? 0)} dropped
          for bad boxes.
        </p>
        <div className="convert-report__tables">
          <DataTable
            label="Classes written"
            showCaption
            columns={pairColumns("Class", "Boxes")}
            rows={Object.entries(report.classes)}
            rowKey={(r) => r[0]}
            initialSort={{ key: "n", direction: "desc" }}
            empty="No boxes written."
          />
          <DataTable
            label="Unmapped labels (objects skipped)"
            showCaption
            columns={pairColumns("Label", "Objects")}
            rows={Object.entries(report.unmapped)}
            rowKey={(r) => r[0]}
            initialSort={{ key: "n", direction: "desc" }}
            empty="Every label was mapped."
          />
        </div>
        <DataTable
          className="convert-problems"
          label="Problems"
          showCaption
          columns={problemColumns}
          rows={report.problems}
          rowKey={(p, i) => `${i}`}
          empty="No problems."
        />
        <p className="dim">
          Written to <span className="mono">{report.out}</span> ({plural(report.files.length, "file")}); the
          full report is <span className="mono">{reportPathOf(report.out)}</span>.
        </p>
      </div>
    </Section>
  );
}
