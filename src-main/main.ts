/**
 * The Electron main process: one instance, one window on the app's own protocol, the IPC router in
 * front of the host API (the same object `azaion serve` uses), host events pushed to the window,
 * MEDIA through the azaion-media: protocol, and jobs in utility processes with a port each to the
 * renderer. Electron's binary cannot be downloaded where this was written: this file is
 * type-checked and its parts unit-tested, but it has not been run.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  protocol,
  screen,
  session,
  shell,
  utilityProcess,
} from "electron";
import { createHostApi, type HostApi } from "../src-workers/host/api/host-api.js";
import { loadConfig, expandHome } from "../src-workers/core/config.js";
import { packageRoot } from "../src-workers/core/package-root.js";
import { APP_SCHEME_PRIVILEGES, appProtocolHandler } from "./app-protocol.js";
import { chooseRoot, loadSettings, saveSettings } from "./app-settings.js";
import { APP_ORIGIN, APP_SCHEME, CONTENT_SECURITY_POLICY, isAppUrl } from "./csp.js";
import { startMediaBridge, type MediaBridge } from "./media-bridge.js";
import { menuTemplate } from "./menu.js";
import { installRpcRouter, pushToWindows } from "./rpc-router.js";
import { lockNavigation, trackWindowState, windowOptions } from "./window.js";
import { loadWindowState } from "./window-state.js";
import { ElectronWorkerLauncher } from "./worker-launcher.js";

const here = dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = join(here, "..", "renderer");
const PRELOAD = join(here, "preload.cjs");
const UTILITY_ENTRY = join(here, "utility-worker.js");
// Packaged: electron-builder's extraResources puts the icon beside the app archive.
const icon = () =>
  app.isPackaged ? join(process.resourcesPath, "icon.png") : join(packageRoot(), "resources", "icon.png");

// Must precede app ready: the scheme is standard and secure, so 'self' and fetch work on it.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

let win: BrowserWindow | undefined;
let api: HostApi | undefined;
let media: MediaBridge | undefined;
let unsubscribe: (() => void) | undefined;

const launcher = new ElectronWorkerLauncher({
  utilityEntry: UTILITY_ENTRY,
  fork: (modulePath, args, options) => utilityProcess.fork(modulePath, args, options),
  channel: () => new MessageChannelMain(),
  renderer: () => (win && !win.isDestroyed() ? win.webContents : undefined),
});

/** The host API and media bridge for a data root; the previous ones are closed (their jobs stopped). */
async function openRoot(root: string): Promise<void> {
  unsubscribe?.();
  await media?.close();
  await api?.close();
  const config = loadConfig();
  const resolved = expandHome(root);
  api = createHostApi({ root: resolved, config: { ...config, root: resolved }, launcher, host: "electron" });
  media = await startMediaBridge(api);
  unsubscribe = api.subscribe(
    pushToWindows(
      () => BrowserWindow.getAllWindows().map((w) => w.webContents),
      (jobId) => launcher.hasDirectPort(jobId),
    ),
  );
}

async function createWindow(): Promise<void> {
  const stateDir = app.getPath("userData");
  const state = await loadWindowState(stateDir);
  const areas = screen.getAllDisplays().map((d) => d.workArea);
  const primary = screen.getPrimaryDisplay().workArea;
  win = new BrowserWindow(windowOptions(state, [primary, ...areas], PRELOAD, icon()));
  lockNavigation(win, shell);
  trackWindowState(win, stateDir, state);
  win.once("ready-to-show", () => {
    if (state.maximized) win?.maximize();
    win?.webContents.setZoomLevel(state.zoom);
    win?.show();
  });
  win.on("closed", () => (win = undefined));
  await win.loadURL(`${APP_ORIGIN}/index.html`);
}

async function chooseDataRoot(): Promise<void> {
  const options: Electron.OpenDialogOptions = {
    title: "Open Data Root",
    properties: ["openDirectory", "createDirectory"],
    ...(api ? { defaultPath: api.root } : {}),
  };
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  const root = r.filePaths[0];
  if (r.canceled || !root) return;
  await openRoot(root);
  await saveSettings(app.getPath("userData"), { root });
  win?.webContents.reload();
}

function about(): void {
  const options: Electron.MessageBoxOptions = {
    type: "info",
    title: "About Azaion Workstation",
    message: `Azaion Workstation ${app.getVersion()}`,
    detail: `Data root: ${api?.root ?? "-"}\nElectron ${process.versions.electron ?? "?"}, Chromium ${process.versions.chrome ?? "?"}, Node ${process.versions.node}`,
  };
  void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
}

async function start(): Promise<void> {
  await app.whenReady();
  const settings = await loadSettings(app.getPath("userData"));
  await openRoot(chooseRoot(process.argv, process.env, settings, loadConfig().root));

  // The CSP as a header too (index.html carries it as a meta tag for the browser host).
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    if (isAppUrl(details.url)) headers["Content-Security-Policy"] = [CONTENT_SECURITY_POLICY];
    callback({ responseHeaders: headers });
  });
  // No camera, microphone, notifications, geolocation...: the app asks for none.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  const serve = appProtocolHandler(RENDERER_DIR, (request) =>
    media ? media.handler(request) : Promise.resolve(new Response("the host is starting\n", { status: 503 })),
  );
  protocol.handle(APP_SCHEME, serve);
  installRpcRouter(ipcMain, {
    invoke: (method, params) =>
      api
        ? api.invoke(method, params)
        : Promise.resolve({ ok: false, error: { code: "internal", message: "the host is starting" } }),
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({ openDataRoot: () => void chooseDataRoot(), about }, process.platform),
    ),
  );
  await createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on("second-instance", () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on("window-all-closed", () => {
    if (process.platform !== "darwin") app.quit();
  });
  app.on("activate", () => {
    if (!win && app.isReady()) void createWindow();
  });
  let closing = false;
  app.on("before-quit", (e) => {
    // Stop the jobs gracefully (a training run saves its state) before the process goes.
    if (closing || !api) return;
    e.preventDefault();
    closing = true;
    unsubscribe?.();
    void Promise.allSettled([media?.close(), api.close()]).then(() => app.quit());
  });
  start().catch((e: unknown) => {
    dialog.showErrorBox("Azaion Workstation could not start", e instanceof Error ? e.message : String(e));
    app.exit(1);
  });
}
