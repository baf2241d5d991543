/** Saving, reloading and leaving the image being edited (labels.save with the revision it was read at). */
import { ApiError, type AzaionApi } from "../../api/types.js";
import { notify, useToastStore } from "../../ui/toast-store.js";
import { isDirty, loadItem, useEditorStore } from "./editor-store.js";
import { replaceItem, scheduleStats } from "./store.js";

/** The toast of the last refused save (dismissed once the image is reloaded). */
let conflictToast: number | undefined;

const set = useEditorStore.setState;
const get = useEditorStore.getState;

/** Save the current image's boxes; true when saved (or nothing to save). */
export async function saveCurrent(api: AzaionApi, folder: string): Promise<boolean> {
  const { item, boxes, saving } = get();
  if (!item || saving) return false;
  if (!isDirty()) return true;
  set({ saving: true });
  try {
    const saved = await api.call("labels.save", { folder, key: item.key, boxes, revision: item.revision });
    // The saved item is the new baseline; the undo history stays, so a save can still be undone.
    set({ item: saved, saving: false, conflict: null });
    replaceItem(saved);
    scheduleStats(api);
    notify.success(`Saved ${saved.stem}`, `${saved.boxes.length} box${saved.boxes.length === 1 ? "" : "es"}`);
    return true;
  } catch (e) {
    set({ saving: false });
    if (e instanceof ApiError && e.code === "conflict") {
      set({ conflict: e.message });
      conflictToast = notify.error(
        `${item.stem} changed on disk`,
        "Someone else saved this label file since you opened it.",
        {
          label: "Reload",
          run: () => void reloadCurrent(api, folder),
        },
      );
    } else {
      notify.error(`Could not save ${item.stem}`, e);
    }
    return false;
  }
}

/** Read the image's labels again from the host, dropping unsaved edits. */
export async function reloadCurrent(api: AzaionApi, folder: string): Promise<void> {
  const { item } = get();
  if (!item) return;
  try {
    const fresh = await api.call("dataset.item", { folder, key: item.key });
    loadItem(fresh);
    replaceItem(fresh);
    if (conflictToast !== undefined) useToastStore.getState().dismiss(conflictToast);
    conflictToast = undefined;
  } catch (e) {
    notify.error(`Could not reload ${item.stem}`, e);
  }
}

/**
 * The host says this image's label file changed: show the new boxes when they are really new (our own
 * save comes back with the revision we already hold) and nothing here is unsaved.
 */
export async function refreshIfChanged(api: AzaionApi, folder: string): Promise<void> {
  const { item } = get();
  if (!item) return;
  try {
    const fresh = await api.call("dataset.item", { folder, key: item.key });
    const now = get().item;
    if (now?.key !== fresh.key || now.revision === fresh.revision) return;
    if (isDirty()) {
      set({ conflict: `${fresh.file}: its labels were changed elsewhere while you edit them.` });
      return;
    }
    loadItem(fresh, true);
    replaceItem(fresh);
  } catch {
    // The next save tells if the file moved on.
  }
}

/** Run `action` now, or after the person answers the unsaved-changes question. */
export function leaveThen(action: () => void): void {
  if (isDirty()) set({ pendingLeave: action });
  else action();
}

export function answerLeave(api: AzaionApi, folder: string, answer: "save" | "discard" | "stay"): void {
  const action = get().pendingLeave;
  set({ pendingLeave: null });
  if (!action || answer === "stay") return;
  if (answer === "discard") {
    action();
    return;
  }
  void saveCurrent(api, folder).then((ok) => ok && action());
}
