/**
 * `azaion serve`: the workstation UI in a browser, for a GPU server without a display. Serves the built
 * renderer, the host API over WebSocket and the media routes; jobs run as child processes.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { packageRoot } from "../../core/package-root.js";
import type { CliContext } from "../context.js";

interface ServeFlags {
  readonly host: string;
  readonly port: string;
  readonly token?: string;
  readonly open?: boolean;
  readonly ui?: string;
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command("serve")
    .description("serve the workstation UI to a browser: datasets, training, export, inference, services")
    .option("--host <address>", "address to bind (any other than loopback needs the token)", "127.0.0.1")
    .option("--port <n>", "port (0: any free one)", "8620")
    .option("--token <token>", "access token (default: AZAION_SERVE_TOKEN, or a random one off loopback)")
    .option("--open", "open the UI in the default browser")
    .option("--ui <dir>", "the built renderer (default: dist/renderer of the package)")
    .addHelpText(
      "after",
      "\nOn 127.0.0.1 no token is asked for. Bound to another address (--host 0.0.0.0), every request needs\n" +
        "the token: open the printed URL once (it carries ?token=...; the browser keeps it as a cookie) or send\n" +
        "'Authorization: Bearer <token>'. Jobs started from the UI run as `azaion` child processes; Ctrl+C\n" +
        "stops them gracefully (a training run saves a resumable checkpoint) and then the server.",
    )
    .action(async (f: ServeFlags) => {
      const port = Number(f.port);
      if (!/^\d+$/.test(f.port.trim()) || port > 65535)
        throw new UsageError(`--port ${f.port}: expected 0-65535`);
      const token = f.token ?? process.env.AZAION_SERVE_TOKEN;
      if (token !== undefined && token.length < 8) throw new UsageError("--token: use at least 8 characters");
      const staticDir = resolve(f.ui ?? join(packageRoot(), "dist", "renderer"));
      if (!existsSync(join(staticDir, "index.html")))
        ctx.info(
          `serve: the UI is not built (${join(staticDir, "index.html")} is missing): build the renderer ` +
            "(npm run build:renderer) and reload the page; the API and media routes work meanwhile",
        );
      const cfg = ctx.config();
      const { createHostApi } = await import("../../host/api/host-api.js");
      const { forkLauncher } = await import("../../host/jobs/launcher.js");
      const { startWebHost } = await import("../../host/web/server.js");
      const configFile = ctx.globals.config;
      const api = createHostApi({
        root: cfg.root,
        config: cfg,
        launcher: forkLauncher,
        host: "browser",
        ...(configFile ? { configFile: resolve(configFile) } : {}),
      });
      let web;
      try {
        web = await startWebHost({ api, staticDir, host: f.host, port, ...(token ? { token } : {}) });
      } catch (e) {
        await api.close();
        const err = e as NodeJS.ErrnoException;
        if (err.code === "EADDRINUSE") throw new UsageError(`--port ${port}: ${f.host}:${port} is in use`);
        if (err.code === "EADDRNOTAVAIL")
          throw new UsageError(`--host ${f.host}: not an address of this machine`);
        throw e;
      }
      ctx.out(`azaion serve: ${web.url}`);
      ctx.info(`data root ${cfg.root}; Ctrl+C to stop`);
      if (f.open) openBrowser(web.url);
      await new Promise<void>((done) => {
        const stop = (signal: string) => {
          ctx.info(`serve: ${signal}: stopping jobs, then the server (again to quit at once)`);
          process.once("SIGINT", () => process.exit(130));
          process.once("SIGTERM", () => process.exit(143));
          void api
            .close()
            .then(() => web.close())
            .then(done, done);
        };
        process.once("SIGINT", () => stop("SIGINT"));
        process.once("SIGTERM", () => stop("SIGTERM"));
      });
    });
}

function openBrowser(url: string): void {
  const cmd = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(cmd, [url], { detached: true, stdio: "ignore" });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    // No browser here (a server): the URL is printed.
  }
}
