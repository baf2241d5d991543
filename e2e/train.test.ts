/**
 * Train screen: a tiny real training (yolo11n, 64 px, batch 4, a dozen generated images) started from
 * the form; the loss chart gains points batch by batch and the epoch bar advances; a stop after the
 * first epoch leaves a resumable run, and Resume finishes it: results.csv then holds every epoch once.
 * Then the Export screen turns that run's best weights into an ONNX model in the run's exports/.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { azaion } from "../tests/support/cli.js";
import { synth } from "./support/dataset.js";
import { shotOnFailure, startSession, type Session } from "./support/session.js";

const EPOCHS = 4;
let s: Session;
let dataYaml: string;
shotOnFailure(() => s);

beforeAll(async () => {
  s = await startSession("train", async (root) => {
    await synth(root, 12, 128);
    const r = await azaion(["--root", root, "split", join(root, "data")]);
    if (r.code !== 0) throw new Error(`azaion split failed:\n${r.stderr}`);
    dataYaml = /data\.yaml (\S+)/.exec(r.stdout + r.stderr)![1]!;
  });
}, 180_000);
afterAll(() => s?.close());

/** Points drawn by a chart's lines (the polylines' vertices, or a lone dot). */
async function chartPoints(chart: Locator): Promise<number> {
  return chart.evaluate((svg) => {
    let n = 0;
    for (const line of svg.querySelectorAll("polyline"))
      n += (line.getAttribute("points") ?? "").trim().split(/\s+/).filter(Boolean).length;
    return Math.max(n, svg.querySelectorAll(":scope > circle").length);
  });
}

async function jobState(): Promise<string> {
  const card = s.browser.page.locator(".train-monitor .job-card").first();
  if ((await card.count()) === 0) return "none";
  return /job-card--(\w+)/.exec((await card.getAttribute("class")) ?? "")?.[1] ?? "unknown";
}

async function epochDone(): Promise<number> {
  const bar = s.browser.page.getByRole("progressbar", { name: new RegExp(`^Epoch \\d+ of ${EPOCHS}$`) });
  if ((await bar.count()) === 0) return -1;
  return Number(await bar.getAttribute("aria-valuenow"));
}

describe("Train", () => {
  it("trains from the form, the charts move, stop leaves a run that Resume finishes", async () => {
    const page = s.browser.page;
    await s.open("train");
    const form = page.getByRole("form", { name: "Training" });
    await form.getByLabel("Form the dataset from data-processed").uncheck();
    await form.getByLabel("Dataset (data.yaml)", { exact: true }).fill(dataYaml);
    await form.getByLabel("Epochs").fill(String(EPOCHS));
    await form.getByLabel("Image size").fill("64");
    await form.getByLabel("Batch").fill("4");
    await form.getByLabel("Run name").fill("e2e");
    await form.getByLabel("Samples per epoch").fill("1");
    await s.shot("train-form");
    await form.getByRole("button", { name: "Start training" }).click();

    const losses = page.getByRole("img", { name: "Training losses chart" });
    await expect.poll(() => losses.count(), { timeout: 60_000 }).toBe(1);
    // Batch by batch the running mean losses are drawn: the chart gets points while epoch 1 runs.
    await expect.poll(() => chartPoints(losses), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
    const map = page.getByRole("img", { name: "mAP chart" });
    await expect.poll(() => chartPoints(map), { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
    expect(await epochDone()).toBeGreaterThanOrEqual(1);
    await s.shot("train-running");

    await form.getByRole("button", { name: "Stop training" }).click();
    await expect.poll(jobState, { timeout: 120_000 }).toMatch(/^(stopped|done)$/);
    expect(await jobState(), "the stop came after the last epoch: make EPOCHS larger").toBe("stopped");
    const stoppedAt =
      (await readFile(join(s.root, "runs", "e2e", "results.csv"), "utf8")).trim().split("\n").length - 1;
    expect(stoppedAt).toBeGreaterThanOrEqual(1);
    expect(stoppedAt).toBeLessThan(EPOCHS);
    await s.shot("train-stopped");

    await form.getByRole("button", { name: "Resume training" }).click();
    await expect.poll(jobState, { timeout: 180_000 }).toMatch(/^(done|failed|crashed)$/);
    expect(await jobState()).toBe("done");
    await expect.poll(epochDone, { timeout: 30_000 }).toBe(EPOCHS);
    const csv = (await readFile(join(s.root, "runs", "e2e", "results.csv"), "utf8")).trim().split("\n");
    const epochs = csv.slice(1).map((l) => Number(l.split(",")[0]));
    expect(epochs).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    expect(await chartPoints(map)).toBeGreaterThanOrEqual(EPOCHS);
    await s.shot("train-done");
    expect(s.browser.errors.splice(0), "errors in the page").toEqual([]);
  }, 300_000);

  it("exports the trained run's best weights to ONNX from the Export screen", async () => {
    const page = s.browser.page;
    await s.open("export");
    const form = page.getByRole("form", { name: "Export" });
    await form.getByLabel("Weights from").selectOption("run");
    await expect
      .poll(() => form.getByLabel("Run", { exact: true }).inputValue(), { timeout: 30_000 })
      .toBe("e2e");
    await form.getByLabel("Checkpoint").selectOption("best");
    await form.getByLabel("Format").selectOption("onnx");
    await form.getByLabel("Image size").fill("64");
    await s.shot("export-form");
    await form.getByRole("button", { name: "Export", exact: true }).click();
    const result = page.getByRole("status", { name: "Export result" });
    await expect.poll(() => result.textContent(), { timeout: 120_000 }).toMatch(/Exported:/);
    const onnx = /(\/\S+\.onnx)/.exec((await result.textContent()) ?? "")?.[1];
    expect(onnx).toBe(join(s.root, "runs", "e2e", "exports", "best.onnx"));
    expect((await stat(onnx!)).size).toBeGreaterThan(1_000_000);
    await s.shot("export-done");
    expect(s.browser.errors.splice(0), "errors in the page").toEqual([]);
  }, 180_000);
});
