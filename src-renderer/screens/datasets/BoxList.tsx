/** The editor's side panel: the image's boxes (select by keyboard or click), its problems and facts. */
import type { AppInfo, DatasetItem } from "../../../src-workers/host/contract/index.js";
import { classOf } from "../../app/app-store.js";
import { select, useEditorStore } from "./editor-store.js";

export function BoxList({ info, item }: { info: AppInfo | null; item: DatasetItem }) {
  const boxes = useEditorStore((s) => s.boxes);
  const selected = useEditorStore((s) => s.selected);
  return (
    <aside className="ds-side" aria-label="Image details">
      <section aria-labelledby="ds-boxes-title">
        <h3 id="ds-boxes-title" className="ds-side__title">
          Boxes ({boxes.length})
        </h3>
        {boxes.length === 0 ? (
          <p className="dim">No boxes. Press D and drag on the image to draw one.</p>
        ) : (
          <ul className="ds-boxes" aria-label="Boxes">
            {boxes.map((b, i) => {
              const c = classOf(info, b.cls);
              const px = `${Math.round(b.w * item.width)}×${Math.round(b.h * item.height)} px`;
              return (
                <li key={i}>
                  <button
                    type="button"
                    className={`ds-boxes__item ${i === selected ? "ds-boxes__item--selected" : ""}`}
                    aria-pressed={i === selected}
                    aria-label={`Box ${i + 1}: ${c.name}, ${px}`}
                    onClick={() => select(i === selected ? null : i)}
                  >
                    <span className="ds-swatch" style={{ background: c.colour }} aria-hidden="true" />
                    <span className="ds-boxes__n">{i + 1}</span>
                    <span className="ds-boxes__name">{c.name}</span>
                    <span className="ds-boxes__px dim">{px}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {item.problems.length > 0 && (
        <section aria-labelledby="ds-problems-title" className="ds-problems">
          <h3 id="ds-problems-title" className="ds-side__title">
            Problems ({item.problems.length})
          </h3>
          <ul aria-label="Problems">
            {item.problems.map((p, i) => (
              <li key={i} className={`ds-problem ds-problem--${p.severity}`}>
                <span className="ds-problem__where mono">
                  {p.file.split(/[\\/]/).pop()}
                  {p.line !== undefined ? `:${p.line}` : ""}
                  {p.field ? ` (${p.field})` : ""}
                </span>
                <span>{p.message}</span>
              </li>
            ))}
          </ul>
          <p className="dim ds-side__hint">
            Saving writes the boxes above: label lines with errors are left out.
          </p>
        </section>
      )}
      <section aria-labelledby="ds-facts-title">
        <h3 id="ds-facts-title" className="ds-side__title">
          Image
        </h3>
        <dl className="ds-facts">
          <dt>File</dt>
          <dd className="mono">{item.file}</dd>
          {item.split && (
            <>
              <dt>Split</dt>
              <dd>{item.split}</dd>
            </>
          )}
          <dt>Size</dt>
          <dd>
            {item.width}×{item.height}
          </dd>
        </dl>
      </section>
      <p className="dim ds-side__hint">
        Press <kbd>?</kbd> for keyboard shortcuts.
      </p>
    </aside>
  );
}
