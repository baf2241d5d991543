/**
 * One image, full size, with its boxes to edit. Prev/next walk the filtered list; leaving an image
 * with unsaved edits asks first (save, discard or stay); a save refused for a newer revision says so
 * and offers a reload.
 */
import { useEffect, useMemo, useRef } from "react";
import { MEDIA } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";
import { useAppInfo } from "../../app/app-store.js";
import { Button, Modal } from "../../ui/index.js";
import { BoxList } from "./BoxList.js";
import { answerLeave, leaveThen, refreshIfChanged, reloadCurrent, saveCurrent } from "./editor-actions.js";
import { FALLBACK_SIZE, isDirty, loadItem as showItem, useEditorStore } from "./editor-store.js";
import { EditorCanvas } from "./EditorCanvas.js";
import { EditorToolbar } from "./EditorToolbar.js";
import { HelpOverlay } from "./HelpOverlay.js";
import { loadItem, replaceItem, useDatasetsStore } from "./store.js";
import { useElementSize } from "./ThumbGrid.js";
import { useEditorKeys } from "./useEditorKeys.js";
import "./editor.css";

export function ImageView({ index }: { index: number }) {
  const api = useApi();
  const info = useAppInfo();
  const folder = useDatasetsStore((s) => s.folder);
  const total = useDatasetsStore((s) => s.total) ?? 0;
  const item = useEditorStore((s) => s.item);
  const conflict = useEditorStore((s) => s.conflict);
  const pendingLeave = useEditorStore((s) => s.pendingLeave);
  const canvasBox = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(canvasBox);
  const folderId = folder?.id ?? "";

  // The canvas takes the focus when the view opens, so the shortcuts work at once.
  useEffect(() => canvasBox.current?.focus({ preventScroll: true }), []);

  // Show the cached item at once, then the host's current one (it may have changed since the page was read).
  useEffect(() => {
    let live = true;
    void (async () => {
      const cached = await loadItem(api, index);
      if (!live || !cached) return;
      // Coming back to an image with unsaved edits (after another screen) keeps them.
      const shown = useEditorStore.getState().item;
      if (shown?.key === cached.key && isDirty()) return;
      showItem(cached);
      try {
        const fresh = await api.call("dataset.item", { folder: folderId, key: cached.key });
        if (live && fresh.revision !== cached.revision && !isDirty()) {
          showItem(fresh);
          replaceItem(fresh);
        }
      } catch {
        // The cached item stays; a save will tell if it is stale.
      }
    })();
    return () => {
      live = false;
    };
  }, [api, index, folderId]);

  // Another editor (or the disk) changed this label file: show it, or warn when edits here are unsaved.
  useEffect(
    () =>
      api.onEvent((e) => {
        const current = useEditorStore.getState().item;
        if (
          e.event !== "dataset.changed" ||
          e.folder !== folderId ||
          !current ||
          !e.keys.includes(current.key)
        )
          return;
        void refreshIfChanged(api, folderId);
      }),
    [api, folderId],
  );

  // Closing the tab with unsaved edits asks the browser's own question.
  useEffect(() => {
    const onUnload = (e: BeforeUnloadEvent) => {
      if (isDirty()) e.preventDefault();
    };
    window.addEventListener("beforeunload", onUnload);
    return () => window.removeEventListener("beforeunload", onUnload);
  }, []);

  const actions = useMemo(() => {
    const go = (to: number) => {
      const { total: t } = useDatasetsStore.getState();
      if (t === null || to < 0 || to >= t) return;
      leaveThen(() => useDatasetsStore.setState({ viewing: to, active: to }));
    };
    return {
      prev: () => go(useDatasetsStore.getState().viewing! - 1),
      next: () => go(useDatasetsStore.getState().viewing! + 1),
      close: () => leaveThen(() => useDatasetsStore.setState({ viewing: null, focusGrid: true })),
      save: () => void saveCurrent(api, folderId),
    };
  }, [api, folderId]);
  const spaceHeld = useEditorKeys(info, actions);

  const src = item && folder ? api.mediaUrl(MEDIA.image, { folder: folder.id, key: item.key }) : "";
  const current = item && index < total ? item : null;

  return (
    <section className="ds-view" aria-label="Image view">
      <EditorToolbar
        info={info}
        index={index}
        total={total}
        onPrev={actions.prev}
        onNext={actions.next}
        onClose={actions.close}
        onSave={actions.save}
      />
      {conflict && (
        <div className="ds-conflict" role="alert">
          <span>
            <strong>This label file changed on disk since you opened it.</strong> Saving your edits would
            overwrite that change, so the host refuses it. Reload to see the current boxes (your unsaved edits
            are dropped).
          </span>
          <Button size="sm" variant="primary" onClick={() => void reloadCurrent(api, folderId)}>
            Reload
          </Button>
        </div>
      )}
      <div className="ds-view__body">
        <div
          ref={canvasBox}
          className="ds-view__canvas"
          tabIndex={0}
          role="application"
          aria-label={
            current ? `Image ${current.stem}: ${current.boxes.length} boxes. Press ? for shortcuts.` : "Image"
          }
        >
          {current && width > 0 && height > 0 && (
            <EditorCanvas
              src={src}
              width={current.width || FALLBACK_SIZE}
              height={current.height || FALLBACK_SIZE}
              stageW={width}
              stageH={height}
              info={info}
              spaceHeld={spaceHeld}
            />
          )}
        </div>
        {current && <BoxList info={info} item={current} />}
      </div>
      <HelpOverlay />
      <Modal
        open={pendingLeave !== null}
        title="Unsaved changes"
        size="sm"
        onClose={() => answerLeave(api, folderId, "stay")}
        footer={
          <>
            <Button onClick={() => answerLeave(api, folderId, "stay")}>Cancel</Button>
            <Button variant="danger" onClick={() => answerLeave(api, folderId, "discard")}>
              Discard
            </Button>
            <Button variant="primary" autoFocus onClick={() => answerLeave(api, folderId, "save")}>
              Save
            </Button>
          </>
        }
      >
        <p>The boxes of {item?.stem} have unsaved changes. Save them before leaving this image?</p>
      </Modal>
    </section>
  );
}
