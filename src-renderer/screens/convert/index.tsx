/** Convert: COCO / VOC / LabelMe / CVAT annotations to YOLO labels (or YOLO to COCO), with the report. */
import { useState, type JSX } from "react";
import { useAppInfo } from "../../app/app-store.js";
import { isActive } from "../../state/jobs.js";
import { useFollowedJob } from "../services/follow-job.js";
import { JobCard } from "../services/JobCard.js";
import { useJobActions } from "../services/job-actions.js";
import { Button, Checkbox, Panel, PathField, Select, type SelectOption } from "../../ui/index.js";
import { ConvertReport } from "./ConvertReport.js";
import "../services/jobs.css";
import "./convert.css";

type From = "coco" | "voc" | "labelme" | "cvat" | "yolo";
type To = "yolo" | "coco";

const FROM: readonly SelectOption<From>[] = [
  { value: "coco", label: "COCO (JSON file)" },
  { value: "voc", label: "Pascal VOC (folder of .xml)" },
  { value: "labelme", label: "LabelMe (folder of .json)" },
  { value: "cvat", label: "CVAT for images 1.1 (annotations.xml)" },
  { value: "yolo", label: "YOLO (folder with images/ and labels/)" },
];

const INPUT_HINT: Record<From, string> = {
  coco: "One COCO JSON file; images beside it or in images/ beside it.",
  voc: "A folder of .xml files, or a VOC root holding Annotations/.",
  labelme: "A folder of LabelMe .json files, or one file.",
  cvat: "One annotations.xml; images in images/ beside it.",
  yolo: "A folder with images/ and labels/ (to COCO only).",
};

const INPUT_MODE: Record<From, "file" | "folder" | "any"> = {
  coco: "file",
  voc: "folder",
  labelme: "any",
  cvat: "file",
  yolo: "folder",
};

export function ConvertScreen(): JSX.Element {
  const info = useAppInfo();
  const [job, follow] = useFollowedJob("convert");
  const actions = useJobActions();
  const [from, setFrom] = useState<From>("coco");
  const [to, setTo] = useState<To>("yolo");
  const [input, setInput] = useState("");
  const [out, setOut] = useState("");
  const [images, setImages] = useState("");
  const [mapping, setMapping] = useState("");
  const [mode, setMode] = useState("");
  const [force, setForce] = useState(false);

  const toOptions: SelectOption<To>[] = [
    { value: "yolo", label: "YOLO labels", disabled: from === "yolo" },
    { value: "coco", label: "COCO JSON" },
  ];
  const modeOptions: SelectOption<string>[] = [
    { value: "", label: "Mapping, else Norm" },
    ...(info?.modes ?? ["Norm", "Wint", "Night"]).map((m) => ({ value: m, label: m })),
  ];
  const effectiveTo: To = from === "yolo" ? "coco" : to;
  const missing = input.trim() === "" ? "an input" : out.trim() === "" ? "an output folder" : undefined;
  const running = isActive(job);

  const run = async (): Promise<void> => {
    const started = await actions.start({
      kind: "convert",
      from,
      to: effectiveTo,
      input: input.trim(),
      out: out.trim(),
      ...(images.trim() ? { images: images.trim() } : {}),
      ...(mapping.trim() ? { mapping: mapping.trim() } : {}),
      ...(mode ? { mode } : {}),
      force,
    });
    if (started) follow(started.id);
  };

  const jobOut = job?.spec.kind === "convert" ? job.spec.out : undefined;
  const ended = job !== undefined && (job.state === "done" || job.state === "failed");

  return (
    <div className="screen convert-screen">
      <h1 className="screen__title">Convert annotations</h1>
      <Panel title="Source and target">
        <form
          className="form-grid"
          aria-label="Conversion"
          onSubmit={(e) => {
            e.preventDefault();
            if (!missing) void run();
          }}
        >
          <Select label="Source format" value={from} options={FROM} onChange={setFrom} />
          <Select label="Target format" value={effectiveTo} options={toOptions} onChange={setTo} />
          <PathField
            className="span-2"
            label="Input"
            value={input}
            onChange={setInput}
            mode={INPUT_MODE[from]}
            extensions={from === "coco" ? [".json"] : from === "cvat" ? [".xml"] : undefined}
            hint={INPUT_HINT[from]}
          />
          <PathField
            className="span-2"
            label="Output folder"
            value={out}
            onChange={setOut}
            mode="folder"
            hint="Created if missing."
          />
          <PathField
            className="span-2"
            label="Images folder (optional)"
            value={images}
            onChange={setImages}
            mode="folder"
            hint="Where the source images are, when not where the format keeps them."
          />
          <PathField
            className="span-2"
            label="Class mapping file (optional)"
            value={mapping}
            onChange={setMapping}
            extensions={[".yaml", ".yml"]}
            hint="YAML naming source labels' classes (see azaion convert --help)."
          />
          <Select
            label="Weather mode"
            value={mode}
            options={modeOptions}
            onChange={setMode}
            hint="For labels that name only a base class."
          />
          <Checkbox
            className="span-2"
            label="Overwrite existing labels (force)"
            checked={force}
            onChange={setForce}
          />
          <div className="form-actions span-all">
            <Button
              type="submit"
              variant="primary"
              disabled={missing !== undefined || actions.busy || running}
            >
              Run conversion
            </Button>
            {missing && <span className="dim">Choose {missing}.</span>}
          </div>
        </form>
      </Panel>
      {job && (
        <Panel title="Conversion job">
          <JobCard
            job={job}
            onRestarted={(j) => follow(j.id)}
            failureTitle={(j) =>
              j.exitCode === 1 ? "Some input had errors; the rest was converted (see the report)" : undefined
            }
          >
            {ended && jobOut && <ConvertReport out={jobOut} jobId={job.id} />}
          </JobCard>
        </Panel>
      )}
    </div>
  );
}
