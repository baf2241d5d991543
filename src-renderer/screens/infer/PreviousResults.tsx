/** Open an earlier inference output folder: the newest under runs/infer/, or any folder by path. */
import { useEffect, useState, type JSX } from "react";
import type { FsListing } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";
import { Button, Panel, PathField } from "../../ui/index.js";
import { useAppInfo } from "../../app/app-store.js";

export function PreviousResults({
  current,
  onOpen,
}: {
  current: string | undefined;
  onOpen: (dir: string) => void;
}): JSX.Element {
  const api = useApi();
  const info = useAppInfo();
  const [folder, setFolder] = useState("");
  const [listing, setListing] = useState<FsListing | undefined>(undefined);
  const base = info ? `${info.root.replace(/[\\/]+$/, "")}/runs/infer` : undefined;
  useEffect(() => {
    if (!base) return;
    let alive = true;
    api.call("fs.list", { path: base }).then(
      (l) => alive && setListing(l),
      () => alive && setListing(undefined),
    );
    return () => {
      alive = false;
    };
  }, [api, base, current]);
  const recent = (listing?.entries ?? [])
    .filter((e) => e.dir)
    .sort((a, b) => (a.name < b.name ? 1 : -1))
    .slice(0, 8);
  return (
    <Panel title="Previous results">
      <div className="previous">
        {recent.length > 0 && (
          <ul className="previous__list" aria-label="Recent inference results">
            {recent.map((e) => (
              <li key={e.path}>
                <Button
                  size="sm"
                  variant={e.path === current ? "primary" : "secondary"}
                  aria-pressed={e.path === current}
                  onClick={() => onOpen(e.path)}
                >
                  {e.name}
                </Button>
              </li>
            ))}
          </ul>
        )}
        <form
          className="previous__open"
          aria-label="Open a result folder"
          onSubmit={(e) => {
            e.preventDefault();
            if (folder.trim()) onOpen(folder.trim());
          }}
        >
          <PathField
            label="Result folder"
            value={folder}
            onChange={setFolder}
            mode="folder"
            onPicked={(p) => onOpen(p)}
          />
          <Button type="submit" disabled={folder.trim() === ""}>
            Open result
          </Button>
        </form>
      </div>
    </Panel>
  );
}
