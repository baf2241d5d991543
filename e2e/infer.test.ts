/**
 * Inference screen: a video dropped on the drop zone (a real drop event holding the file) is uploaded,
 * the shapes model (Ultralytics-trained, exported to ONNX here) runs on it, and the player draws its
 * boxes over the video in sync with the frame shown (seeking and playing); the class filter and the
 * confidence slider take them away and bring them back.
 */
import { mkdir, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { azaion } from "../tests/support/cli.js";
import { shotOnFailure, startSession, type Session } from "./support/session.js";
import { FIXTURES, VIDEO, makeShapesVideo } from "./support/video.js";

let s: Session;
let video: string;
let model: string;
shotOnFailure(() => s);

beforeAll(async () => {
  s = await startSession("infer", async (root) => {
    await mkdir(join(root, "inbox"), { recursive: true });
    video = join(root, "inbox", "moving-shapes.mp4");
    model = join(root, "inbox", "shapes.onnx");
    const [r] = await Promise.all([
      azaion(["-q", "export", join(FIXTURES, "yolo11n-shapes-nc5.pt"), "--imgsz", "320", "--out", model]),
      makeShapesVideo(video),
    ]);
    if (r.code !== 0) throw new Error(`azaion export failed:\n${r.stderr}`);
  });
}, 180_000);
afterAll(() => s?.close());

/** The overlay's frame, the sampled frame whose boxes it draws, and how many it draws. */
async function overlayFrame(): Promise<{ frame: number; sample: number; boxes: number }> {
  return s.browser.page.locator("canvas.player__overlay").evaluate((c) => {
    const d = (c as HTMLCanvasElement).dataset;
    return {
      frame: Number(d.frame),
      sample: d.sampleFrame === "" ? -1 : Number(d.sampleFrame),
      boxes: Number(d.boxes),
    };
  });
}

/** What the overlay shows: the player's own count and the canvas's painted pixels. */
async function overlay(): Promise<{ boxes: number; painted: number }> {
  return s.browser.page.locator("canvas.player__overlay").evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const px = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) painted++;
    return { boxes: Number(canvas.dataset.boxes ?? 0), painted };
  });
}

describe("Inference", () => {
  it("takes a dropped video, runs the model and draws its boxes on the player", async () => {
    const page = s.browser.page;
    await s.open("infer");
    // Drop: a DataTransfer holding the file, dispatched on the drop zone as a person's drop would be.
    const bytes = (await readFile(video)).toString("base64");
    const dt = await page.evaluateHandle((b64) => {
      const data = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const t = new DataTransfer();
      t.items.add(new File([data], "moving-shapes.mp4", { type: "video/mp4" }));
      return t;
    }, bytes);
    const zone = page.locator(".dropzone");
    await zone.dispatchEvent("dragenter", { dataTransfer: dt });
    await zone.dispatchEvent("dragover", { dataTransfer: dt });
    await zone.dispatchEvent("drop", { dataTransfer: dt });
    const form = page.getByRole("form", { name: "Inference" });
    const videoField = form.getByLabel("Video", { exact: true });
    await expect
      .poll(() => videoField.inputValue(), { timeout: 30_000 })
      .toMatch(/uploads[\\/]moving-shapes.*\.mp4$/);
    const uploaded = await videoField.inputValue();
    expect(await readFile(uploaded)).toEqual(await readFile(video));

    await form.getByLabel("Model", { exact: true }).selectOption({ label: "Another .onnx file…" });
    await form.getByLabel("Model file (.onnx)", { exact: true }).fill(model);
    await s.shot("infer-form");
    await form.getByRole("button", { name: "Run inference" }).click();

    const player = page.locator("video").first();
    await player.waitFor({ timeout: 120_000 });
    // The video element really plays this file (a decoder took it: it has a size and a duration).
    await expect
      .poll(() => player.evaluate((v) => (v as HTMLVideoElement).readyState), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(2);
    await expect.poll(async () => (await overlay()).boxes, { timeout: 30_000 }).toBeGreaterThan(0);
    const shown = await overlay();
    expect(shown.painted).toBeGreaterThan(100);
    await s.shot("infer-player");

    // Class filter: hiding every class leaves an empty overlay; showing them brings the boxes back.
    await page.getByRole("button", { name: "Hide all classes" }).click();
    await expect.poll(overlay).toEqual({ boxes: 0, painted: 0 });
    await page.getByRole("button", { name: "Show all classes" }).click();
    await expect.poll(async () => (await overlay()).boxes).toBe(shown.boxes);

    // Confidence: at 100% nothing is left; back at 0% every box of the frame is drawn again.
    const slider = page.getByRole("slider", { name: /confidence/i });
    await slider.fill("1");
    await expect.poll(async () => (await overlay()).boxes).toBe(0);
    await s.shot("infer-confidence-100");
    await slider.fill("0");
    await expect.poll(async () => (await overlay()).boxes).toBeGreaterThanOrEqual(shown.boxes);

    // In sync: at any frame the overlay draws the latest sampled frame's detections (detections.jsonl).
    const [dir] = await readdir(join(s.root, "runs", "infer"));
    const lines = (await readFile(join(s.root, "runs", "infer", dir!, "detections.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { frame: number; detections: unknown[] });
    const stride = lines[1]!.frame - lines[0]!.frame;
    for (const k of [6, 13, 25]) {
      await player.evaluate(
        (v, t) => {
          (v as HTMLVideoElement).currentTime = t;
        },
        (k + 0.5) / VIDEO.fps,
      );
      const sample = Math.floor(k / stride) * stride;
      const want = lines.find((l) => l.frame === sample)!.detections.length;
      await expect.poll(overlayFrame, { timeout: 10_000 }).toEqual({ frame: k, sample, boxes: want });
    }
    // Playing: the overlay follows the frames as they are shown, to the end.
    await player.evaluate((v) => {
      const video = v as HTMLVideoElement;
      video.muted = true;
      video.currentTime = 0;
      return video.play();
    });
    const seen = new Set<number>();
    await expect
      .poll(
        async () => {
          const o = await overlayFrame();
          expect(o.sample).toBe(Math.floor(o.frame / stride) * stride);
          seen.add(o.frame);
          return o.frame;
        },
        { timeout: 30_000, interval: 50 },
      )
      .toBeGreaterThanOrEqual(VIDEO.frames - 2);
    expect(seen.size).toBeGreaterThan(3);
    expect(s.browser.errors.splice(0), "errors in the page").toEqual([]);
  }, 240_000);
});
