/** Renderer entry: the API for this host (Electron bridge or WebSocket), then the shell. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { getApi } from "./api/index.js";
import { ApiProvider } from "./api/context.js";
import { App } from "./app/App.js";
import "./app/theme.css";
import "./ui/ui.css";
import "./ui/overlays.css";
import "./app/app.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <ApiProvider api={getApi()}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
