/**
 * Inference player: drop a video, choose an ONNX model, run `azaion infer` on it, then play it back with
 * the detections drawn in sync. A previous result folder can be opened too.
 */
import { useEffect, useState, type JSX } from "react";
import type { InferResult } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";
import { selectBuffers, useJobsStore } from "../../state/jobs.js";
import {
  Button,
  Checkbox,
  NumberField,
  Panel,
  PathField,
  Select,
  type SelectOption,
} from "../../ui/index.js";
import { baseName } from "../services/describe.js";
import { DeviceSelect } from "../services/DeviceSelect.js";
import { useFollowedJob } from "../services/follow-job.js";
import { JobCard } from "../services/JobCard.js";
import { useJobActions } from "../services/job-actions.js";
import { useRuns } from "../train/run-data.js";
import { DropZone, useVideoUpload } from "./DropZone.js";
import { Player } from "./Player.js";
import { PreviousResults } from "./PreviousResults.js";
import { inferOutputDir } from "./result-dir.js";
import "../services/jobs.css";
import "./infer.css";

const OTHER = "__other__";

export function InferScreen(): JSX.Element {
  const api = useApi();
  const [job, follow] = useFollowedJob("infer");
  const buf = useJobsStore(selectBuffers(job?.id));
  const actions = useJobActions();
  const runs = useRuns(undefined);
  const [video, setVideo] = useState("");
  const [modelChoice, setModelChoice] = useState("");
  const [modelPath, setModelPath] = useState("");
  const [stride, setStride] = useState<number | undefined>(4);
  const [conf, setConf] = useState<number | undefined>(0.25);
  const [device, setDevice] = useState("cpu");
  const [track, setTrack] = useState(true);
  const [openDir, setOpenDir] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<InferResult | undefined>(undefined);
  const [resultError, setResultError] = useState<string | undefined>(undefined);
  const screenUpload = useVideoUpload(setVideo);

  const exports = (runs.data ?? []).flatMap((r) =>
    r.exports.filter((e) => e.endsWith(".onnx")).map((e) => ({ run: r.name, path: e })),
  );
  const modelOptions: SelectOption<string>[] = [
    ...exports.map((e) => ({ value: e.path, label: `${e.run}: ${baseName(e.path)}` })),
    { value: OTHER, label: "Another .onnx file…" },
  ];
  const choice = modelChoice || (exports[0]?.path ?? OTHER);
  const model = choice === OTHER ? modelPath.trim() : choice;
  const missing =
    video.trim() === ""
      ? "a video"
      : model === ""
        ? "a model"
        : stride === undefined
          ? "a stride"
          : conf === undefined
            ? "a confidence"
            : undefined;

  // The job's output folder once it is done, or a folder opened by hand.
  const jobDir = job && job.state === "done" ? inferOutputDir(job, buf.result, buf.log) : undefined;
  const dir = openDir ?? jobDir;
  useEffect(() => {
    setResult(undefined);
    setResultError(undefined);
    if (!dir) return;
    let alive = true;
    api.call("infer.result", { dir }).then(
      (r) => alive && setResult(r),
      (e: unknown) => alive && setResultError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      alive = false;
    };
  }, [api, dir]);

  const run = async (): Promise<void> => {
    const j = await actions.start({
      kind: "infer",
      model,
      inputs: [video.trim()],
      stride: stride ?? 4,
      conf: conf ?? 0.25,
      device,
      saveVideo: true,
      track,
    });
    if (j) {
      setOpenDir(undefined);
      follow(j.id);
    }
  };

  return (
    <div
      className="screen infer-screen"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes("Files")) e.preventDefault();
      }}
      onDrop={(e) => {
        // A video dropped anywhere on the screen is taken, not opened by the browser.
        e.preventDefault();
        const file = e.dataTransfer.files[0];
        if (file) screenUpload.upload(file);
      }}
    >
      <h1 className="screen__title">Inference</h1>
      <Panel title="Video and model">
        <form
          className="form-grid"
          aria-label="Inference"
          onSubmit={(e) => {
            e.preventDefault();
            if (!missing) void run();
          }}
        >
          <div className="span-all">
            <DropZone onPath={setVideo} />
            {screenUpload.sending && <p className="dim">Uploading {screenUpload.sending.name}…</p>}
            {screenUpload.error && (
              <p className="notice notice--error" role="alert">
                Upload failed: {screenUpload.error}
              </p>
            )}
          </div>
          <PathField
            className="span-2"
            label="Video"
            value={video}
            onChange={setVideo}
            extensions={[".mp4", ".mkv", ".avi", ".mov", ".webm", ".ts"]}
          />
          <Select
            label="Model"
            value={choice}
            options={modelOptions}
            onChange={setModelChoice}
            hint={exports.length === 0 ? "No ONNX exports in runs/ yet." : undefined}
          />
          {choice === OTHER && (
            <PathField
              className="span-2"
              label="Model file (.onnx)"
              value={modelPath}
              onChange={setModelPath}
              extensions={[".onnx"]}
            />
          )}
          <NumberField
            label="Stride"
            value={stride}
            onChange={setStride}
            min={1}
            integer
            hint="Every Nth frame is detected."
          />
          <NumberField
            label="Confidence threshold"
            value={conf}
            onChange={setConf}
            min={0}
            max={1}
            step={0.05}
            hint="Least score kept, 0-1."
          />
          <DeviceSelect value={device} onChange={setDevice} />
          <Checkbox
            className="span-2"
            label="Track objects across frames"
            checked={track}
            onChange={setTrack}
          />
          <div className="form-actions span-all">
            <Button
              type="submit"
              variant="primary"
              disabled={missing !== undefined || actions.busy || job?.state === "running"}
            >
              Run inference
            </Button>
            {missing && <span className="dim">Choose {missing}.</span>}
          </div>
        </form>
      </Panel>
      {job && !openDir && (
        <Panel title="Inference job">
          <JobCard job={job} onRestarted={(j) => follow(j.id)} logLines={30} />
        </Panel>
      )}
      <PreviousResults current={dir} onOpen={setOpenDir} />
      {resultError && (
        <p className="notice notice--error" role="alert">
          Could not open {dir}: {resultError}
        </p>
      )}
      {result && (
        <Panel title={`Player: ${baseName(result.source)}`}>
          <Player
            key={result.dir}
            result={result}
            initialConf={job?.spec.kind === "infer" && !openDir ? job.spec.conf : undefined}
          />
        </Panel>
      )}
    </div>
  );
}
