/**
 * The main window: context isolation, sandbox, no Node in the renderer, the preload as the only
 * bridge, a dark background so no white flash shows before the renderer paints, and the size and
 * position of the last session. Navigation away from the app and new windows are refused; links to
 * http(s) open in the system browser.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, Rectangle, Shell } from "electron";
import { isAppUrl } from "./csp.js";
import { placeWindow, saveWindowState, type WindowState } from "./window-state.js";

export const BACKGROUND = "#12151b";

export function windowOptions(
  state: WindowState,
  workAreas: readonly Rectangle[],
  preload: string,
  icon?: string,
): BrowserWindowConstructorOptions {
  return {
    ...placeWindow(state, workAreas),
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: BACKGROUND,
    title: "Azaion Workstation",
    ...(icon ? { icon } : {}),
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      // The inference player keeps playing while the window is in the background.
      backgroundThrottling: false,
    },
  };
}

/** Keeps the window on the app and sends outside links to the system browser. */
export function lockNavigation(win: BrowserWindow, shell: Pick<Shell, "openExternal">): void {
  const external = (url: string) => {
    if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
  };
  win.webContents.setWindowOpenHandler(({ url }) => {
    external(url);
    return { action: "deny" };
  });
  win.webContents.on("will-navigate", (e, url) => {
    if (!isAppUrl(url)) {
      e.preventDefault();
      external(url);
    }
  });
  win.webContents.on("will-attach-webview", (e) => e.preventDefault());
}

/** Saves size, position, maximised state and zoom when they change (debounced) and on close. */
export function trackWindowState(win: BrowserWindow, dir: string, initial: WindowState): void {
  let state = initial;
  let timer: NodeJS.Timeout | undefined;
  const capture = () => {
    if (win.isDestroyed()) return;
    const maximized = win.isMaximized();
    // While maximised keep the normal bounds, so un-maximising next time restores them.
    const b = maximized || win.isFullScreen() ? win.getNormalBounds() : win.getBounds();
    state = { ...b, maximized, zoom: win.webContents.getZoomLevel() };
  };
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    void saveWindowState(dir, state).catch(() => undefined);
  };
  const later = () => {
    capture();
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on("resize", later);
  win.on("move", later);
  win.on("maximize", later);
  win.on("unmaximize", later);
  win.webContents.on("zoom-changed", later);
  win.on("close", () => {
    capture();
    save();
  });
}
