/** The training form: dataset, model scale, schedule, device; Start / Stop / Resume. */
import { useState, type JSX } from "react";
import type { JobInfo, JobSpecInput, RunSummary } from "../../../src-workers/host/contract/index.js";
import { isActive } from "../../state/jobs.js";
import {
  Button,
  Checkbox,
  NumberField,
  PathField,
  Select,
  TextField,
  type SelectOption,
} from "../../ui/index.js";
import { DeviceSelect } from "../services/DeviceSelect.js";
import { plural } from "../services/plural.js";

type Scale = "n" | "s" | "m" | "l" | "x";
const SCALES: readonly SelectOption<Scale>[] = [
  { value: "n", label: "n (nano)" },
  { value: "s", label: "s (small)" },
  { value: "m", label: "m (medium)" },
  { value: "l", label: "l (large)" },
  { value: "x", label: "x (extra large)" },
];

/** "train" -> "train2", "train3", ...: the first name no run has. */
export function freeName(base: string, runs: readonly RunSummary[]): string {
  const names = new Set(runs.map((r) => r.name));
  const stem = base.replace(/\d+$/, "") || "train";
  for (let i = 2; ; i++) if (!names.has(`${stem}${i}`)) return `${stem}${i}`;
}

export interface TrainFormProps {
  /** The job the screen follows (Stop acts on it; Resume restarts it when it stopped). */
  readonly job: JobInfo | undefined;
  readonly runs: readonly RunSummary[];
  readonly busy: boolean;
  readonly onStart: (spec: JobSpecInput) => void;
  readonly onStop: (id: string) => void;
  readonly onRestart: (id: string) => void;
}

export function TrainForm(props: TrainFormProps): JSX.Element {
  const [fromProcessed, setFromProcessed] = useState(true);
  const [data, setData] = useState("");
  const [weights, setWeights] = useState("");
  const [model, setModel] = useState<Scale>("n");
  const [epochs, setEpochs] = useState<number | undefined>(100);
  const [imgsz, setImgsz] = useState<number | undefined>(640);
  const [batch, setBatch] = useState<number | undefined>(16);
  const [device, setDevice] = useState("cpu");
  const [name, setName] = useState("train");
  const [patience, setPatience] = useState<number | undefined>(undefined);
  const [samples, setSamples] = useState<number | undefined>(4);
  const [workers, setWorkers] = useState<number | undefined>(undefined);

  const active = isActive(props.job);
  const run = props.runs.find((r) => r.name === name.trim());
  const stoppedJob =
    props.job &&
    props.job.spec.kind === "train" &&
    props.job.spec.name === name.trim() &&
    (props.job.state === "stopped" || props.job.state === "crashed" || props.job.state === "failed")
      ? props.job
      : undefined;
  const taken = run !== undefined && (run.best !== undefined || run.last !== undefined || run.resumable);
  const missing =
    !fromProcessed && data.trim() === ""
      ? "a data.yaml (or form the dataset from data-processed)"
      : epochs === undefined || imgsz === undefined || batch === undefined
        ? "epochs, image size and batch"
        : name.trim() === ""
          ? "a run name"
          : undefined;

  const spec = (resume: boolean): JobSpecInput => ({
    kind: "train",
    ...(fromProcessed ? {} : { data: data.trim() }),
    ...(weights.trim() ? { weights: weights.trim() } : {}),
    model,
    epochs: epochs ?? 100,
    imgsz: imgsz ?? 640,
    batch: batch ?? 16,
    device,
    name: name.trim(),
    ...(patience !== undefined ? { patience } : {}),
    samples: samples ?? 4,
    ...(workers !== undefined ? { workers } : {}),
    resume,
  });

  return (
    <form
      className="form-grid"
      aria-label="Training"
      onSubmit={(e) => {
        e.preventDefault();
        if (!missing && !active) props.onStart(spec(false));
      }}
    >
      <Checkbox
        className="span-all"
        label="Form the dataset from data-processed"
        checked={fromProcessed}
        onChange={setFromProcessed}
        hint="As `azaion train` with no --data: a split of the root's processed (augmented) set."
      />
      <PathField
        className="span-2"
        label="Dataset (data.yaml)"
        value={data}
        onChange={setData}
        extensions={[".yaml", ".yml"]}
        disabled={fromProcessed}
      />
      <PathField
        className="span-2"
        label="Pretrained weights (optional)"
        value={weights}
        onChange={setWeights}
        extensions={[".safetensors", ".pt"]}
      />
      <Select label="Model scale" value={model} options={SCALES} onChange={setModel} />
      <NumberField label="Epochs" value={epochs} onChange={setEpochs} min={1} integer />
      <NumberField
        label="Image size"
        value={imgsz}
        onChange={setImgsz}
        min={32}
        step={32}
        integer
        hint="Pixels, a multiple of 32."
      />
      <NumberField
        label="Batch"
        value={batch}
        onChange={setBatch}
        min={-1}
        integer
        hint="-1: the largest that fits the GPU."
      />
      <DeviceSelect value={device} onChange={setDevice} />
      <TextField label="Run name" value={name} onChange={setName} hint="The run folder: runs/<name>." />
      <NumberField
        label="Patience"
        value={patience}
        onChange={setPatience}
        min={1}
        integer
        placeholder="off"
        hint="Stop after this many epochs without improvement."
      />
      <NumberField
        label="Samples per epoch"
        value={samples}
        onChange={setSamples}
        min={0}
        integer
        hint="Validation images drawn with predictions."
      />
      <NumberField
        label="Workers"
        value={workers}
        onChange={setWorkers}
        min={0}
        integer
        placeholder="default"
        hint="Data loader threads; blank: the default."
      />
      <div className="form-actions span-all">
        <Button
          type="submit"
          variant="primary"
          disabled={missing !== undefined || active || props.busy || taken}
        >
          Start training
        </Button>
        {active && props.job && (
          <Button
            variant="danger"
            disabled={props.busy || props.job.state === "stopping"}
            onClick={() => props.job && props.onStop(props.job.id)}
          >
            Stop training
          </Button>
        )}
        <Button
          disabled={active || props.busy || missing !== undefined || (!stoppedJob && !run?.resumable)}
          onClick={() => (stoppedJob ? props.onRestart(stoppedJob.id) : props.onStart(spec(true)))}
          title={
            run?.resumable
              ? `Continue runs/${run.name} from its last checkpoint`
              : "No resumable checkpoint for this run name"
          }
        >
          Resume training
        </Button>
        {missing && <span className="dim">Choose {missing}.</span>}
        {!missing && taken && run && !active && (
          <>
            <span className="dim">
              runs/{run.name} already holds a run ({plural(run.epochsDone, "epoch")}
              {run.resumable ? ", resumable" : ""}
              ): resume it, or train under another name.
            </span>
            <Button size="sm" onClick={() => setName(freeName(name.trim(), props.runs))}>
              Use run name {freeName(name.trim(), props.runs)}
            </Button>
          </>
        )}
      </div>
    </form>
  );
}
