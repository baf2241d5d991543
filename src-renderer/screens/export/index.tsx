/**
 * Export: a run's weights (or any weights file) to ONNX, a TensorRT engine or RKNN, optionally encrypted
 * and uploaded. TensorRT and RKNN run their vendors' tools on the host; when those are missing, the
 * job fails with a message saying what to install, shown here as the job's error.
 */
import { useEffect, useState, type JSX } from "react";
import { useApi } from "../../api/context.js";
import { selectBuffers, useJobsStore } from "../../state/jobs.js";
import {
  Button,
  Checkbox,
  NumberField,
  Panel,
  PathField,
  Select,
  TextField,
  type SelectOption,
} from "../../ui/index.js";
import { baseName } from "../services/describe.js";
import { useFollowedJob } from "../services/follow-job.js";
import { JobCard } from "../services/JobCard.js";
import { useJobActions } from "../services/job-actions.js";
import { fileUrl } from "../services/media.js";
import { useRuns } from "../train/run-data.js";
import "../services/jobs.css";
import "./export.css";

type Format = "onnx" | "engine" | "rknn";
type Precision = "default" | "fp16" | "int8";
type Source = "run" | "file";

const FORMATS: readonly SelectOption<Format>[] = [
  { value: "onnx", label: "ONNX (.onnx)" },
  { value: "engine", label: "TensorRT engine (.engine)" },
  { value: "rknn", label: "RKNN for Rockchip NPU (.rknn)" },
];

const TOOLS: Record<Format, string | undefined> = {
  onnx: undefined,
  engine:
    "A TensorRT engine is built with TensorRT on this host (trtexec, or Python's tensorrt for int8), for this host's GPU.",
  rknn: "RKNN needs Rockchip's rknn-toolkit2 in the host's Python (python3 -m pip install rknn-toolkit2).",
};

export function ExportScreen(): JSX.Element {
  const api = useApi();
  const [job, follow] = useFollowedJob("export");
  const buf = useJobsStore(selectBuffers(job?.id));
  const actions = useJobActions();
  const runs = useRuns(job?.state);
  const [source, setSource] = useState<Source>("run");
  const [runName, setRunName] = useState("");
  const [checkpoint, setCheckpoint] = useState<"best" | "last">("best");
  const [file, setFile] = useState("");
  const [format, setFormat] = useState<Format>("onnx");
  const [imgsz, setImgsz] = useState<number | undefined>(1280);
  const [batch, setBatch] = useState<number | undefined>(undefined);
  const [nms, setNms] = useState<"nms" | "raw">("nms");
  const [precision, setPrecision] = useState<Precision>("default");
  const [calib, setCalib] = useState("");
  const [out, setOut] = useState("");
  const [force, setForce] = useState(false);
  const [upload, setUpload] = useState(false);
  const [uploadName, setUploadName] = useState("");

  const withWeights = (runs.data ?? []).filter((r) => r.best || r.last);
  useEffect(() => {
    if (runName === "" && withWeights[0]) setRunName(withWeights[0].name);
  }, [runName, withWeights]);
  const run = withWeights.find((r) => r.name === runName);
  const weights =
    source === "run" ? (checkpoint === "best" ? run?.best : run?.last) : file.trim() || undefined;
  const int8 = format !== "onnx" && (precision === "int8" || (format === "rknn" && precision === "default"));
  const missing =
    weights === undefined
      ? source === "run"
        ? "a run with weights"
        : "a weights file"
      : imgsz === undefined
        ? "an image size"
        : int8 && calib.trim() === ""
          ? "calibration data for int8"
          : undefined;
  // The name on the API: typed, else the run's (or the file's) name.
  const defaultUploadName = source === "run" ? runName : baseName(weights ?? "model").replace(/\.[^.]+$/, "");
  const uploadAs = uploadName.trim() || defaultUploadName;
  const result = buf.result ?? job?.result;

  const start = async (): Promise<void> => {
    if (weights === undefined) return;
    const j = await actions.start({
      kind: "export",
      weights,
      format,
      imgsz: imgsz ?? 1280,
      ...(batch !== undefined ? { batch } : {}),
      // RKNN keeps NMS in the host's post-processing: the NPU runs the raw network.
      nms: format !== "rknn" && nms === "nms",
      ...(format !== "onnx" && precision !== "default" ? { precision } : {}),
      ...(int8 && calib.trim() ? { data: calib.trim() } : {}),
      ...(out.trim() ? { out: out.trim() } : {}),
      force,
      ...(upload && uploadAs ? { upload: uploadAs } : {}),
    });
    if (j) follow(j.id);
  };

  const runOptions: SelectOption<string>[] =
    withWeights.length > 0
      ? withWeights.map((r) => ({
          value: r.name,
          label: `${r.name}${r.bestMap5095 !== undefined ? ` (mAP50-95 ${r.bestMap5095.toFixed(3)})` : ""}`,
        }))
      : [{ value: "", label: "No runs with weights" }];

  return (
    <div className="screen export-screen">
      <h1 className="screen__title">Export</h1>
      <Panel title="Model to export">
        <form
          className="form-grid"
          aria-label="Export"
          onSubmit={(e) => {
            e.preventDefault();
            if (!missing) void start();
          }}
        >
          <Select
            label="Weights from"
            value={source}
            options={[
              { value: "run", label: "A training run" },
              { value: "file", label: "A weights file" },
            ]}
            onChange={setSource}
          />
          {source === "run" ? (
            <>
              <Select
                label="Run"
                value={runName}
                options={runOptions}
                onChange={setRunName}
                disabled={withWeights.length === 0}
              />
              <Select
                label="Checkpoint"
                value={checkpoint}
                options={[
                  { value: "best", label: "best (highest fitness)", disabled: !run?.best },
                  { value: "last", label: "last (final epoch)", disabled: !run?.last },
                ]}
                onChange={setCheckpoint}
              />
            </>
          ) : (
            <PathField
              className="span-2"
              label="Weights file"
              value={file}
              onChange={setFile}
              extensions={[".safetensors", ".pt"]}
            />
          )}
          <Select label="Format" value={format} options={FORMATS} onChange={setFormat} />
          <NumberField label="Image size" value={imgsz} onChange={setImgsz} min={32} step={32} integer />
          <NumberField
            label="Largest batch"
            value={batch}
            onChange={setBatch}
            min={1}
            integer
            placeholder="default"
            hint={format === "rknn" ? "RKNN: 1." : "The model takes batches of 1 to this."}
          />
          <Select
            label="NMS"
            value={format === "rknn" ? "raw" : nms}
            disabled={format === "rknn"}
            hint={format === "rknn" ? "RKNN: raw; NMS runs on the host." : undefined}
            options={[
              { value: "nms", label: "In the model (boxes out)" },
              { value: "raw", label: "None (raw output)" },
            ]}
            onChange={setNms}
          />
          <Select
            label="Precision"
            value={precision}
            disabled={format === "onnx"}
            options={[
              {
                value: "default",
                label: format === "rknn" ? "Default (int8)" : format === "engine" ? "Default (fp16)" : "fp32",
              },
              { value: "fp16", label: "fp16" },
              { value: "int8", label: "int8 (calibrated)" },
            ]}
            onChange={setPrecision}
            hint={format === "onnx" ? "ONNX keeps fp32." : undefined}
          />
          {int8 && (
            <PathField
              className="span-2"
              label="Calibration data"
              value={calib}
              onChange={setCalib}
              mode="any"
              hint="A data.yaml (its train split) or a folder of images."
            />
          )}
          <PathField
            className="span-2"
            label="Output file (optional)"
            value={out}
            onChange={setOut}
            mode="any"
            hint="A file, or a folder for the default name; default: the run's exports/."
          />
          <Checkbox
            className="span-2"
            label="Overwrite existing files (force)"
            checked={force}
            onChange={setForce}
          />
          <Checkbox
            className="span-2"
            label="Encrypt and upload"
            checked={upload}
            onChange={setUpload}
            hint="To the Azaion API and CDN, as a protected model."
          />
          {upload && (
            <TextField
              label="Upload name"
              value={uploadName}
              onChange={setUploadName}
              placeholder={defaultUploadName}
              hint="The model's name on the API."
            />
          )}
          {TOOLS[format] && (
            <p className="notice notice--warn span-all" role="note">
              {TOOLS[format]} If they are missing, the job fails and its error says what to install.
            </p>
          )}
          <div className="form-actions span-all">
            <Button type="submit" variant="primary" disabled={missing !== undefined || actions.busy}>
              Export
            </Button>
            {missing ? (
              <span className="dim">Choose {missing}.</span>
            ) : (
              <span className="dim mono">{weights}</span>
            )}
          </div>
        </form>
      </Panel>
      {job && (
        <Panel title="Export job">
          <JobCard
            job={job}
            onRestarted={(j) => follow(j.id)}
            failureTitle={(j) =>
              /not installed|not found on PATH|was not found/i.test(j.error ?? "")
                ? "A tool this export needs is missing on the host"
                : undefined
            }
          >
            {result && Object.keys(result).length > 0 && (
              <div className="export-result" role="status" aria-label="Export result">
                <strong>{job.state === "done" ? "Exported:" : "Outputs:"}</strong>
                <ul>
                  {Object.entries(result).map(([k, p]) => (
                    <li key={k}>
                      <span className="dim">{k}</span> <span className="mono">{p}</span>{" "}
                      <a
                        href={fileUrl(api, p, true)}
                        download={baseName(p)}
                        aria-label={`Download ${baseName(p)}`}
                      >
                        Download
                      </a>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </JobCard>
        </Panel>
      )}
    </div>
  );
}
