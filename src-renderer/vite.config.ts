// Builds the renderer into dist/renderer with relative asset URLs, so the same files load from
// Electron's app protocol and from `azaion serve` at any path.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { CONTENT_SECURITY_POLICY } from "../src-main/csp.js";

const here = fileURLToPath(new URL(".", import.meta.url));

/**
 * The built page carries the app's Content-Security-Policy as a meta tag (the browser host serves it
 * as is; Electron also sends it as a header). Build only: the dev server injects an inline script for
 * React refresh. frame-ancestors is dropped because browsers ignore it in a meta tag.
 */
function cspMeta(): Plugin {
  const policy = CONTENT_SECURITY_POLICY.split("; ")
    .filter((d) => !d.startsWith("frame-ancestors"))
    .join("; ");
  return {
    name: "azaion-csp-meta",
    apply: "build",
    transformIndexHtml: () => [
      {
        tag: "meta",
        attrs: { "http-equiv": "Content-Security-Policy", content: policy },
        injectTo: "head-prepend",
      },
    ],
  };
}

/** `npm run dev:renderer` talks to a running `azaion serve` (AZAION_DEV_HOST, default 127.0.0.1:8620, its default port). */
const devHost = process.env.AZAION_DEV_HOST ?? "127.0.0.1:8620";

export default defineConfig({
  root: here,
  base: "./",
  plugins: [react(), cspMeta()],
  build: {
    outDir: fileURLToPath(new URL("../dist/renderer", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/ws": { target: `ws://${devHost}`, ws: true },
      "/media": { target: `http://${devHost}` },
    },
  },
});
