/** The image editor's toolbar: navigation, mode, class, undo/redo, zoom and save. */
import { useMemo } from "react";
import type { AppInfo } from "../../../src-workers/host/contract/index.js";
import { classOf } from "../../app/app-store.js";
import { Button, Select } from "../../ui/index.js";
import { formatCount } from "../../ui/format.js";
import {
  deleteSelected,
  redo,
  setClass,
  setMode,
  toggleLabels,
  undo,
  useDirty,
  useEditorStore,
} from "./editor-store.js";
import { fitView, useViewStore, zoomBy } from "./view-store.js";

interface Props {
  info: AppInfo | null;
  index: number;
  total: number;
  onPrev: () => void;
  onNext: () => void;
  onClose: () => void;
  onSave: () => void;
}

export function EditorToolbar({ info, index, total, onPrev, onNext, onClose, onSave }: Props) {
  const mode = useEditorStore((s) => s.mode);
  const selected = useEditorStore((s) => s.selected);
  const boxes = useEditorStore((s) => s.boxes);
  const drawClass = useEditorStore((s) => s.drawClass);
  const canUndo = useEditorStore((s) => s.past.length > 0);
  const canRedo = useEditorStore((s) => s.future.length > 0);
  const saving = useEditorStore((s) => s.saving);
  const stem = useEditorStore((s) => s.item?.stem ?? "");
  const showLabels = useEditorStore((s) => s.showLabels);
  const dirty = useDirty();
  const scale = useViewStore((s) => s.scale);
  const box = selected !== null ? boxes[selected] : undefined;
  const cls = box?.cls ?? drawClass;

  const options = useMemo(() => {
    const list = info?.classes ?? [];
    const known = list.some((c) => c.id === cls);
    return [
      ...list.map((c) => ({ value: String(c.id), label: `${c.id} · ${c.name}` })),
      ...(known ? [] : [{ value: String(cls), label: `${cls} · ${classOf(info, cls).name}` }]),
    ];
  }, [info, cls]);

  return (
    <div className="ds-toolbar" role="toolbar" aria-label="Image editor">
      <Button size="sm" onClick={onClose} aria-label="Back to the grid">
        ← Grid
      </Button>
      <Button size="sm" onClick={onPrev} disabled={index <= 0} aria-label="Previous image">
        ‹
      </Button>
      <span className="ds-toolbar__pos" aria-live="polite">
        <span className="ds-toolbar__stem">{stem}</span>{" "}
        <span className="dim">
          {formatCount(index + 1)} / {formatCount(total)}
        </span>
      </span>
      <Button size="sm" onClick={onNext} disabled={index >= total - 1} aria-label="Next image">
        ›
      </Button>
      <span className="ds-toolbar__sep" />
      <div className="ds-toolbar__group" role="group" aria-label="Mode">
        <Button
          size="sm"
          aria-pressed={mode === "select"}
          variant={mode === "select" ? "primary" : "secondary"}
          onClick={() => setMode("select")}
        >
          Select
        </Button>
        <Button
          size="sm"
          aria-pressed={mode === "draw"}
          variant={mode === "draw" ? "primary" : "secondary"}
          onClick={() => setMode("draw")}
        >
          Draw
        </Button>
      </div>
      <Select
        label="Class"
        className="ds-toolbar__class"
        value={String(cls)}
        options={options}
        onChange={(v) => setClass(Number(v))}
      />
      <Button
        size="sm"
        variant="danger"
        disabled={!box}
        onClick={deleteSelected}
        aria-label="Delete the selected box"
      >
        Delete
      </Button>
      <span className="ds-toolbar__sep" />
      <Button size="sm" disabled={!canUndo} onClick={undo} aria-label="Undo" title="Undo (Ctrl+Z)">
        ↶
      </Button>
      <Button size="sm" disabled={!canRedo} onClick={redo} aria-label="Redo" title="Redo (Ctrl+Shift+Z)">
        ↷
      </Button>
      <span className="ds-toolbar__sep" />
      <Button size="sm" onClick={() => zoomBy(0.8)} aria-label="Zoom out">
        −
      </Button>
      <span className="ds-toolbar__zoom" aria-label="Zoom level">
        {Math.round(scale * 100)}%
      </span>
      <Button size="sm" onClick={() => zoomBy(1.25)} aria-label="Zoom in">
        +
      </Button>
      <Button size="sm" onClick={fitView} aria-label="Fit the image">
        Fit
      </Button>
      <Button
        size="sm"
        aria-pressed={showLabels}
        onClick={toggleLabels}
        title="Class names over the boxes (L)"
      >
        Labels
      </Button>
      <span className="ds-toolbar__spacer" />
      {dirty && (
        <span
          className="ds-toolbar__dirty"
          role="status"
          aria-label="Unsaved changes"
          title="Unsaved changes"
        >
          ●
        </span>
      )}
      <Button
        size="sm"
        variant="ghost"
        onClick={() => useEditorStore.setState({ helpOpen: true })}
        aria-label="Keyboard shortcuts"
      >
        ?
      </Button>
      <Button size="sm" variant="primary" disabled={!dirty || saving} onClick={onSave} title="Save (Ctrl+S)">
        {saving ? "Saving…" : "Save"}
      </Button>
    </div>
  );
}
