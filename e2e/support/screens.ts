/**
 * Screenshots of every screen a test visits: e2e/artifacts/<test>/<screen>.png, for people to look at.
 * The app scrolls inside its main area, so a screen taller than the window is shot by growing the
 * window to the content's height for the picture (up to 5000 px), then back.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { repoRoot } from "../../tests/support/cli.js";

export const artifactsDir = join(repoRoot, "e2e", "artifacts");

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");

export async function screenshot(page: Page, test: string, screen: string): Promise<string> {
  const dir = join(artifactsDir, safe(test));
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${safe(screen)}.png`);
  const size = page.viewportSize();
  const overflow = () =>
    page.evaluate(() => {
      // The page's and every vertically scrolling container's hidden height.
      let extra = 0;
      for (const el of [document.scrollingElement, ...document.querySelectorAll("body *")]) {
        if (!el || el.clientHeight < 200) continue;
        const y = getComputedStyle(el).overflowY;
        if (el === document.scrollingElement || y === "auto" || y === "scroll")
          extra = Math.max(extra, el.scrollHeight - el.clientHeight);
      }
      return extra;
    });
  let height = size?.height ?? 0;
  try {
    // Growing the window can let the content grow too (a player sized to the width): measure again.
    for (let i = 0; size && i < 4; i++) {
      const more = await overflow();
      if (more <= 0 || height >= 5000) break;
      height = Math.min(height + more, 5000);
      await page.setViewportSize({ width: size.width, height });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    }
    await page.screenshot({ path: file });
  } finally {
    if (size && height !== size.height) await page.setViewportSize(size);
  }
  return file;
}
