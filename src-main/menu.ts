/**
 * The application menu as a template (Electron's MenuItemConstructorOptions), built from the actions
 * it triggers so it can be checked without Electron: File (open data root, quit), View (reload,
 * developer tools, zoom), Help (about).
 */
import type { MenuItemConstructorOptions } from "electron";

export interface MenuActions {
  openDataRoot(): void;
  about(): void;
}

export function menuTemplate(actions: MenuActions, platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const mac = platform === "darwin";
  return [
    ...(mac ? [{ role: "appMenu" as const }] : []),
    {
      label: "&File",
      submenu: [
        { label: "Open Data Root…", accelerator: "CmdOrCtrl+O", click: () => actions.openDataRoot() },
        { type: "separator" },
        mac ? { role: "close" } : { role: "quit", label: "Quit", accelerator: "CmdOrCtrl+Q" },
      ],
    },
    { role: "editMenu" },
    {
      label: "&View",
      submenu: [
        { role: "reload" },
        { role: "forceReload" },
        { role: "toggleDevTools" },
        { type: "separator" },
        { role: "resetZoom" },
        { role: "zoomIn" },
        { role: "zoomOut" },
        { type: "separator" },
        { role: "togglefullscreen" },
      ],
    },
    {
      label: "&Help",
      role: "help",
      submenu: [{ label: "About Azaion Workstation", click: () => actions.about() }],
    },
  ];
}
