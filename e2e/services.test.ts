/**
 * Services screen: the queue consumer that never ran on this root says so; augmentation started from
 * the screen processes every source image (its status counts them, data-processed/ holds them), a
 * worker killed with SIGKILL is shown as crashed and restarted from the screen, and Stop ends it.
 */
import { execFileSync } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synth } from "./support/dataset.js";
import { shotOnFailure, startSession, type Session } from "./support/session.js";

const SOURCES = 6;
let s: Session;
shotOnFailure(() => s);

beforeAll(async () => {
  s = await startSession("services", (root) => synth(root, SOURCES, 128));
}, 180_000);
afterAll(() => s?.close());

const panel = (title: string) => s.browser.page.getByRole("region", { name: title, exact: true });
const stateText = (title: string) =>
  s.browser.page.getByRole("status", { name: `${title} state` }).textContent();

/** The value beside a label in a service panel's table. */
async function row(title: string, label: string): Promise<string> {
  const dt = panel(title).locator("dt", { hasText: new RegExp(`^${label}$`) });
  return (await dt.locator("xpath=following-sibling::dd[1]").textContent()) ?? "";
}

/** Worker processes of the server (`azaion serve` forks one per job). */
function workers(): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(s.server.pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

describe("Services", () => {
  it("shows the queue consumer's and augmentation's status, and runs, restarts and stops augmentation", async () => {
    const page = s.browser.page;
    await s.open("services");
    await expect.poll(() => stateText("Annotation queue consumer")).toMatch(/^Not running/);
    await expect
      .poll(() => panel("Annotation queue consumer").textContent())
      .toMatch(/never run on this data root/);
    await expect.poll(() => stateText("Augmentation")).toMatch(/^Not running/);
    await s.shot("services-idle");

    await page.getByRole("button", { name: "Start augmentation" }).click();
    await expect.poll(() => stateText("Augmentation"), { timeout: 60_000 }).toMatch(/^Running/);
    await expect.poll(() => row("Augmentation", "Processed"), { timeout: 120_000 }).toBe(String(SOURCES));
    await expect.poll(() => row("Augmentation", "Mode")).toMatch(/watch/i);
    const images = await readdir(join(s.root, "data-processed", "images"));
    expect(images.length).toBe(SOURCES * 8);
    await s.shot("services-augmenting");

    // A worker that dies is shown as crashed and can be started again from the screen.
    const before = workers();
    expect(before.length).toBe(1);
    process.kill(before[0]!, "SIGKILL");
    await expect
      .poll(() => panel("Augmentation").getByRole("alert").textContent(), { timeout: 30_000 })
      .toMatch(/crashed/);
    await s.shot("services-crashed");
    await page.getByRole("button", { name: "Restart augmentation" }).click();
    await expect.poll(() => stateText("Augmentation"), { timeout: 60_000 }).toMatch(/^Running/);
    expect(workers().filter((p) => !before.includes(p)).length).toBe(1);

    await page.getByRole("button", { name: "Stop augmentation" }).click();
    await expect.poll(() => stateText("Augmentation"), { timeout: 60_000 }).toMatch(/^Not running/);
    await expect.poll(() => workers().length, { timeout: 30_000 }).toBe(0);
    await s.shot("services-stopped");
    expect(s.browser.errors.splice(0), "errors in the page").toEqual([]);
  }, 240_000);
});
