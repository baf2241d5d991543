/**
 * The host's file chooser (a browser cannot see the host's disk): a modal over `fs.list`. Folders open
 * on click; files are selected on click and chosen on double-click or with the Choose button.
 */
import { useCallback, useEffect, useState } from "react";
import type { FsListing } from "../../src-workers/host/contract/index.js";
import { useApi } from "../api/context.js";
import { Button } from "./Button.js";
import { formatBytes } from "./format.js";
import { Checkbox, TextField } from "./inputs.js";
import { Modal } from "./Modal.js";

export type ChooserMode = "file" | "folder" | "any";

export interface FileChooserProps {
  open: boolean;
  title: string;
  mode: ChooserMode;
  /** File extensions to show (".mp4", "json"); folders are always shown. */
  extensions?: readonly string[];
  /** Where to start: a folder, or a file whose folder is opened. */
  start?: string;
  onPick: (path: string) => void;
  onClose: () => void;
}

/** Folder and file glyphs as SVG (emoji fonts are often missing on Linux). */
function EntryIcon({ dir }: { dir: boolean }) {
  return (
    <svg className="ui-chooser__icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      {dir ? (
        <path d="M1.5 3.5h4l1.5 1.5h7.5v8h-13z" fill="var(--accent-bg)" stroke="var(--accent)" />
      ) : (
        <path d="M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3" fill="none" stroke="var(--text-dim)" />
      )}
    </svg>
  );
}

function parentOf(path: string): string | undefined {
  const trimmed = path.replace(/[\\/]+$/, "");
  const i = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  if (i < 0) return undefined;
  return i === 0 ? trimmed.slice(0, 1) : trimmed.slice(0, i);
}

export function FileChooser({ open, title, mode, extensions, start, onPick, onClose }: FileChooserProps) {
  const api = useApi();
  const [listing, setListing] = useState<FsListing | null>(null);
  const [typed, setTyped] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [allFiles, setAllFiles] = useState(false);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (path: string | undefined, fallback?: string) => {
      setLoading(true);
      try {
        const exts = allFiles || !extensions?.length ? undefined : [...extensions];
        const result = await api.call("fs.list", { path, extensions: exts });
        setListing(result);
        setTyped(result.path);
        setSelected(null);
        setError(null);
      } catch (e) {
        if (fallback !== undefined) return load(fallback);
        setError(e instanceof Error ? e.message : String(e));
      } finally {
        setLoading(false);
      }
    },
    [api, extensions, allFiles],
  );

  useEffect(() => {
    if (!open) return;
    const from = listing?.path ?? (start || undefined);
    void load(from, from ? (parentOf(from) ?? "") : undefined);
    // Reload when opened or when the filter changes, not on every listing (load and listing omitted on purpose).
  }, [open, allFiles]);

  const canPick = mode === "folder" || mode === "any" ? Boolean(listing) : selected !== null;
  const pick = () => {
    const path = selected ?? (mode !== "file" ? listing?.path : undefined);
    if (!path) return;
    onPick(path);
    onClose();
  };
  const pickLabel = selected ? "Choose" : mode === "file" ? "Choose" : "Choose this folder";

  return (
    <Modal
      open={open}
      title={title}
      onClose={onClose}
      size="lg"
      footer={
        <>
          <span className="ui-chooser__selection" aria-live="polite">
            {selected ?? (mode !== "file" ? listing?.path : "No file selected")}
          </span>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" disabled={!canPick} onClick={pick}>
            {pickLabel}
          </Button>
        </>
      }
    >
      <div
        className="ui-chooser__bar"
        onKeyDown={(e) => {
          if (e.key !== "Enter" || !(e.target instanceof HTMLInputElement)) return;
          e.preventDefault();
          void load(typed.trim() || undefined);
        }}
      >
        <Button
          aria-label="Parent folder"
          title="Parent folder"
          disabled={!listing?.parent}
          onClick={() => listing?.parent && void load(listing.parent)}
        >
          ↑
        </Button>
        <TextField label="Location" className="ui-chooser__path" value={typed} onChange={setTyped} />
        <Button onClick={() => void load(typed.trim() || undefined)}>Go</Button>
      </div>
      {extensions && extensions.length > 0 && (
        <Checkbox
          label={`Show all files (not only ${extensions.join(", ")})`}
          checked={allFiles}
          onChange={setAllFiles}
        />
      )}
      {error && (
        <div role="alert" className="ui-field__error">
          {error}
        </div>
      )}
      <ul className="ui-chooser__list" aria-label="Folder contents" aria-busy={loading}>
        {listing?.entries.length === 0 && <li className="ui-chooser__empty">Empty folder</li>}
        {listing?.entries.map((entry) => (
          <li key={entry.path}>
            <button
              type="button"
              className={`ui-chooser__entry ${selected === entry.path ? "ui-chooser__entry--selected" : ""}`}
              aria-pressed={entry.dir ? undefined : selected === entry.path}
              aria-label={entry.dir ? `Folder ${entry.name}` : `File ${entry.name}`}
              onClick={() => {
                if (entry.dir) void load(entry.path);
                else if (mode !== "folder") setSelected(entry.path);
              }}
              onDoubleClick={() => {
                if (!entry.dir && mode !== "folder") {
                  onPick(entry.path);
                  onClose();
                }
              }}
              disabled={!entry.dir && mode === "folder"}
            >
              <EntryIcon dir={entry.dir} />
              <span className="ui-chooser__name">{entry.name}</span>
              {!entry.dir && entry.size !== undefined && (
                <span className="ui-chooser__size">{formatBytes(entry.size)}</span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
