/** Work to redo when the host's connection comes back: pushes may have been missed while it was down. */
import type { AzaionApi } from "./types.js";

/** Calls `listener` each time the connection is back after having been down; returns the unsubscribe. */
export function onReconnect(api: AzaionApi, listener: () => void): () => void {
  let wasDown = false;
  return api.onConnection((state) => {
    if (state === "reconnecting") wasDown = true;
    else if (wasDown) {
      wasDown = false;
      listener();
    }
  });
}
