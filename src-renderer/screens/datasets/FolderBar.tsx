/** Which folder the screen shows: one of the data root's folders, or any folder by path. */
import { useEffect, useState } from "react";
import { useApi } from "../../api/context.js";
import { Button, PathField, Select } from "../../ui/index.js";
import { formatCount } from "../../ui/format.js";
import { plural } from "../services/plural.js";
import { loadFolders, openFolder, useDatasetsStore } from "./store.js";

export function FolderBar() {
  const api = useApi();
  const folders = useDatasetsStore((s) => s.folders);
  const folder = useDatasetsStore((s) => s.folder);
  const opening = useDatasetsStore((s) => s.opening);
  const total = useDatasetsStore((s) => s.total);
  const [path, setPath] = useState("");

  useEffect(() => {
    void loadFolders(api);
  }, [api]);

  const known = folder && folders.some((f) => f.path === folder.path);
  const options = [
    { value: "", label: folders.length ? "Choose a folder…" : "No dataset folders in the data root" },
    ...folders.map((f) => ({
      value: f.path,
      label: `${f.label}${f.kind === "split" ? ` (${f.splits.join("/")})` : ""}${f.images !== undefined ? ` · ${formatCount(f.images)}` : ""}`,
    })),
    ...(folder && !known ? [{ value: folder.path, label: folder.label }] : []),
  ];

  return (
    <div className="ds-folderbar">
      <Select
        label="Dataset folder"
        className="ds-folderbar__select"
        value={folder?.path ?? ""}
        options={options}
        disabled={opening}
        onChange={(p) => p && void openFolder(api, p)}
      />
      <form
        className="ds-folderbar__other"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void openFolder(api, path.trim());
        }}
      >
        <PathField
          label="Other folder"
          mode="folder"
          value={path}
          onChange={setPath}
          placeholder="any folder with images/ + labels/"
          onPicked={(p) => void openFolder(api, p)}
        />
        <Button type="submit" disabled={opening || !path.trim()}>
          Open
        </Button>
      </form>
      <div className="ds-folderbar__count" role="status" aria-live="polite">
        {opening
          ? "Indexing…"
          : folder
            ? `${plural(total ?? 0, "image")}${folder.images !== undefined && total !== folder.images ? ` of ${formatCount(folder.images)}` : ""}`
            : ""}
      </div>
    </div>
  );
}
