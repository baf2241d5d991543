/** Sample predictions drawn after each epoch: pick an epoch, see its images. */
import { useState, type JSX } from "react";
import { useApi } from "../../api/context.js";
import { Select } from "../../ui/index.js";
import { baseName } from "../services/describe.js";
import { fileUrl } from "../services/media.js";

export interface SampleSet {
  readonly epoch: number;
  readonly files: readonly string[];
}

export function SamplesGallery({ samples }: { samples: readonly SampleSet[] }): JSX.Element {
  const api = useApi();
  const [picked, setPicked] = useState<number | undefined>(undefined);
  const sorted = [...samples].sort((a, b) => a.epoch - b.epoch);
  const latest = sorted.at(-1);
  // Follow the newest epoch until a person picks one.
  const current = sorted.find((s) => s.epoch === picked) ?? latest;
  if (!current) return <p className="dim">No sample predictions yet (drawn after each epoch).</p>;
  return (
    <div className="samples">
      <Select
        label="Sample epoch"
        value={String(current.epoch)}
        options={sorted.map((s) => ({
          value: String(s.epoch),
          label: `Epoch ${s.epoch}${s === latest ? " (latest)" : ""}`,
        }))}
        onChange={(v) => setPicked(v === String(latest?.epoch) ? undefined : Number(v))}
      />
      <ul className="samples__grid" aria-label={`Sample predictions, epoch ${current.epoch}`}>
        {current.files.map((f) => (
          <li key={f}>
            <a href={fileUrl(api, f)} target="_blank" rel="noreferrer">
              <img
                src={fileUrl(api, f)}
                alt={`Sample prediction ${baseName(f)}, epoch ${current.epoch}`}
                loading="lazy"
              />
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
