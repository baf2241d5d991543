/**
 * One data root, one `azaion serve` and one Chromium per test file: made in beforeAll, closed in
 * afterAll. On failure the server's output and the page's errors are what a person needs, so they
 * are kept for the messages.
 */
import { afterEach } from "vitest";
import { launchBrowser, type Browser } from "./browser.js";
import { tempRoot } from "./dataset.js";
import { ensureRendererBuilt } from "./renderer-build.js";
import { screenshot } from "./screens.js";
import { startServer, type RunningServer } from "./server.js";

export interface Session {
  readonly root: string;
  readonly server: RunningServer;
  readonly browser: Browser;
  /** Opens a screen by its route (#/datasets) and waits for the shell to be connected. */
  open(screen: string): Promise<void>;
  shot(screen: string): Promise<string>;
  close(): Promise<void>;
}

export async function startSession(
  name: string,
  prepare: (root: string) => Promise<void>,
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<Session> {
  const { root, remove } = await tempRoot(name);
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  try {
    await Promise.all([prepare(root), ensureRendererBuilt()]);
    server = await startServer(root, opts.env ? { env: opts.env } : {});
    browser = await launchBrowser();
  } catch (e) {
    await browser?.close();
    await server?.stop();
    await remove();
    throw e;
  }
  const s = server;
  const b = browser;
  return {
    root,
    server: s,
    browser: b,
    async open(screen) {
      await b.page.goto(`${s.url}#/${screen}`);
      await b.page.getByRole("status", { name: /Host connection: connected/i }).waitFor();
    },
    shot: (screen) => screenshot(b.page, name, screen),
    async close() {
      await b.close();
      await s.stop();
      await remove();
    },
  };
}

/** In a test file: a screenshot of the page as it was when a test failed (…/failed-<test>.png). */
export function shotOnFailure(session: () => Session | undefined): void {
  afterEach(async (ctx) => {
    const s = session();
    if (s && ctx.task.result?.state === "fail")
      await s.shot(`failed-${ctx.task.name}`).catch(() => undefined);
  });
}
