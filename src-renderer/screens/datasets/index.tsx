/** Datasets: open a folder, filter and browse it in a virtualised grid, see its statistics, edit its boxes. */
import { useEffect } from "react";
import { useApi } from "../../api/context.js";
import { onReconnect } from "../../api/reconnect.js";
import { RangeField, Tabs } from "../../ui/index.js";
import { Filters } from "./Filters.js";
import { FolderBar } from "./FolderBar.js";
import { ImageView } from "./ImageView.js";
import { StatsView } from "./StatsView.js";
import { loadFolders, onFolderChanged, recoverAfterReconnect, useDatasetsStore } from "./store.js";
import { ThumbGrid } from "./ThumbGrid.js";
import "./datasets.css";

function Browser() {
  const tab = useDatasetsStore((s) => s.tab);
  const thumbSize = useDatasetsStore((s) => s.thumbSize);
  const open = (index: number) => useDatasetsStore.setState({ viewing: index, active: index });
  return (
    <div className="ds-browser">
      <Filters />
      <div className="ds-browser__main">
        <Tabs
          label="Dataset views"
          className="ds-tabs"
          value={tab}
          onChange={(t) => useDatasetsStore.setState({ tab: t })}
          tabs={[
            {
              id: "images",
              label: "Images",
              content: (
                <div className="ds-images">
                  <div className="ds-images__bar">
                    <span className="dim">Double-click or Enter opens an image.</span>
                    <RangeField
                      label="Thumbnail size"
                      className="ds-images__size"
                      min={96}
                      max={320}
                      step={8}
                      value={thumbSize}
                      format={(v) => `${v}px`}
                      onChange={(v) => useDatasetsStore.setState({ thumbSize: v })}
                    />
                  </div>
                  <ThumbGrid onOpen={open} />
                </div>
              ),
            },
            { id: "stats", label: "Statistics", content: <StatsView /> },
          ]}
        />
      </div>
    </div>
  );
}

export function DatasetsScreen() {
  const api = useApi();
  const folder = useDatasetsStore((s) => s.folder);
  const viewing = useDatasetsStore((s) => s.viewing);

  useEffect(
    () =>
      api.onEvent((e) => {
        if (e.event === "dataset.changed") onFolderChanged(api, e.folder, e.keys);
        // A finished job (a split, a conversion, augmentation) may have made a new dataset folder.
        else if (e.event === "job.state" && e.job.state === "done") void loadFolders(api);
      }),
    [api],
  );

  useEffect(() => onReconnect(api, () => void recoverAfterReconnect(api)), [api]);

  return (
    <div className="ds-screen">
      {viewing === null && <FolderBar />}
      {!folder ? (
        <div className="ds-welcome">
          <h2>Open a dataset</h2>
          <p className="dim">
            Choose one of the data root&apos;s folders above (data, data-seed, data-processed, datasets/…), or
            any folder holding <code>images/</code> and <code>labels/</code>, or a split dataset (train/,
            valid/, test/).
          </p>
        </div>
      ) : viewing !== null ? (
        <ImageView index={viewing} />
      ) : (
        <Browser />
      )}
    </div>
  );
}
