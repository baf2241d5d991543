/** The grid's filters: base classes, weather modes, split, box count, stem text, problems only. */
import { useEffect, useState } from "react";
import type { AppInfo } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";
import { useAppInfo } from "../../app/app-store.js";
import { Button, Checkbox, NumberField, Select, TextField } from "../../ui/index.js";
import { clearFilter, setFilter, useDatasetsStore } from "./store.js";

/** Every class id of the given base classes (in all modes). */
function idsOfBases(info: AppInfo, bases: ReadonlySet<number>): number[] {
  return info.classes.filter((c) => bases.has(c.baseIndex)).map((c) => c.id);
}

function basesOfIds(info: AppInfo, ids: readonly number[] | undefined): Set<number> {
  const set = new Set<number>();
  for (const id of ids ?? []) {
    const c = info.classes.find((x) => x.id === id);
    if (c) set.add(c.baseIndex);
  }
  return set;
}

function ClassFilter({ info }: { info: AppInfo }) {
  const api = useApi();
  const classes = useDatasetsStore((s) => s.filter.classes);
  const chosen = basesOfIds(info, classes);
  const toggle = (base: number, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(base);
    else next.delete(base);
    setFilter(api, { classes: idsOfBases(info, next) });
  };
  return (
    <fieldset className="ds-filter__group">
      <legend>
        Classes{chosen.size > 0 ? ` (${chosen.size})` : ""}
        {chosen.size > 0 && (
          <button
            type="button"
            className="ds-linkbtn"
            onClick={() => setFilter(api, { classes: [] })}
            aria-label="Any class"
          >
            any
          </button>
        )}
      </legend>
      <div className="ds-filter__classes">
        {info.baseClasses.map((b) => (
          <label key={b.index} className="ds-filter__class">
            <input
              type="checkbox"
              checked={chosen.has(b.index)}
              onChange={(e) => toggle(b.index, e.target.checked)}
            />
            <span className="ds-swatch" style={{ background: b.colour }} aria-hidden="true" />
            {b.name}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function ModeFilter({ info }: { info: AppInfo }) {
  const api = useApi();
  const modes = useDatasetsStore((s) => s.filter.modes) ?? [];
  return (
    <fieldset className="ds-filter__group">
      <legend>Weather mode</legend>
      <div className="ds-filter__row">
        {info.modes.map((m) => (
          <Checkbox
            key={m}
            label={m}
            checked={modes.includes(m)}
            onChange={(on) => setFilter(api, { modes: on ? [...modes, m] : modes.filter((x) => x !== m) })}
          />
        ))}
      </div>
    </fieldset>
  );
}

/** The stem filter waits for a pause in typing. */
function StemFilter() {
  const api = useApi();
  const text = useDatasetsStore((s) => s.filter.text) ?? "";
  const [value, setValue] = useState(text);
  useEffect(() => setValue(text), [text]);
  useEffect(() => {
    if (value === text) return;
    const t = setTimeout(() => setFilter(api, { text: value }), 250);
    return () => clearTimeout(t);
  }, [api, value, text]);
  return (
    <TextField label="Name contains" type="search" value={value} onChange={setValue} placeholder="stem" />
  );
}

export function Filters() {
  const api = useApi();
  const info = useAppInfo();
  const folder = useDatasetsStore((s) => s.folder);
  const filter = useDatasetsStore((s) => s.filter);
  const active = Object.keys(filter).length;
  if (!folder) return null;
  return (
    <form className="ds-filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <div className="ds-filters__head">
        <h2>Filters</h2>
        <Button size="sm" variant="ghost" disabled={active === 0} onClick={() => clearFilter(api)}>
          Clear filters
        </Button>
      </div>
      <StemFilter />
      {folder.kind === "split" && (
        <Select
          label="Split"
          value={filter.split ?? ""}
          options={[
            { value: "", label: "All splits" },
            ...folder.splits.map((s) => ({ value: s, label: s })),
          ]}
          onChange={(split) => setFilter(api, { split })}
        />
      )}
      <div className="ds-filter__row">
        <NumberField
          label="Min boxes"
          integer
          min={0}
          value={filter.minBoxes}
          onChange={(minBoxes) => setFilter(api, { minBoxes })}
        />
        <NumberField
          label="Max boxes"
          integer
          min={0}
          value={filter.maxBoxes}
          onChange={(maxBoxes) => setFilter(api, { maxBoxes })}
        />
      </div>
      <Checkbox
        label="Only images with problems"
        checked={filter.problemsOnly ?? false}
        onChange={(problemsOnly) => setFilter(api, { problemsOnly })}
      />
      {info && <ModeFilter info={info} />}
      {info && <ClassFilter info={info} />}
    </form>
  );
}
