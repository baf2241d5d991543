/**
 * Debian's Chromium driven by playwright-core: headless, no sandbox (root in a container), no GPU, no
 * network chatter, on a fresh profile that is removed afterwards. Page errors and console errors are
 * collected so a test can assert the UI ran without them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.AZAION_E2E_CHROMIUM ?? "/usr/bin/chromium";

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught exceptions and console.error lines seen so far. */
  readonly errors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), "azaion-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: "dark",
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    // A failed request is reported below with its URL; the console's copy of it has none.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
      errors.push(`console.error: ${m.text()}`);
  });
  page.on("response", (r) => {
    // Chromium asks for /favicon.ico on its own when the page names no icon: not the app's request.
    if (r.status() === 404 && new URL(r.url()).pathname === "/favicon.ico") return;
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
