/** infer.result: an `azaion infer` output folder on a video, read back for the player. */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { OUTPUT_FILES } from "../../inference/outputs.js";
import type { Detection, InferResult } from "../contract/runs.js";
import { HostError, notFound, usage } from "../errors.js";

const runJsonSchema = z.object({
  source: z.string(),
  stride: z.number().int().positive(),
  video: z.object({
    width: z.number().int(),
    height: z.number().int(),
    fps: z.number().positive(),
    frames: z.number().int().nullable(),
  }),
  frames_decoded: z.number().int().optional(),
});

const lineSchema = z.object({
  frame: z.number().int(),
  time: z.number(),
  detections: z.array(
    z.object({
      xyxy: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      conf: z.number(),
      cls: z.number().int(),
      name: z.string(),
      track: z.number().int().nullable(),
    }),
  ),
});

export async function readInferResult(dirIn: string): Promise<InferResult> {
  const dir = resolve(dirIn);
  const runFile = join(dir, OUTPUT_FILES.run);
  const jsonlFile = join(dir, OUTPUT_FILES.detections);
  const text = await readFile(runFile, "utf8").catch(() => undefined);
  if (text === undefined) {
    const jsonl = await stat(jsonlFile).catch(() => undefined);
    throw notFound(
      jsonl
        ? `${runFile} is not written yet: the inference run has not finished`
        : `${dir} is not an inference output folder (no ${OUTPUT_FILES.run})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new HostError("data", `${runFile}: not valid JSON: ${(e as Error).message}`);
  }
  if (raw && typeof raw === "object" && !("video" in raw))
    throw usage(`${dir} holds an inference run on images, not on a video: open its detections.jsonl instead`);
  const run = runJsonSchema.safeParse(raw);
  if (!run.success) {
    const i = run.error.issues[0]!;
    throw new HostError("data", `${runFile}: ${i.path.join(".")}: ${i.message}`);
  }
  const samples: InferResult["samples"] = [];
  const lines = createInterface({
    input: createReadStream(jsonlFile),
    crlfDelay: Infinity,
  });
  let n = 0;
  try {
    for await (const l of lines) {
      n++;
      if (l.trim() === "") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(l);
      } catch {
        throw new HostError("data", `${jsonlFile}:${n}: not valid JSON`);
      }
      const r = lineSchema.safeParse(parsed);
      if (!r.success) {
        const i = r.error.issues[0]!;
        throw new HostError("data", `${jsonlFile}:${n}: ${i.path.join(".")}: ${i.message}`);
      }
      const detections: Detection[] = r.data.detections.map((d) => ({
        box: d.xyxy,
        cls: d.cls,
        name: d.name,
        score: d.conf,
        track: d.track,
      }));
      samples.push({ frame: r.data.frame, time: r.data.time, detections });
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw notFound(`${jsonlFile} is missing`);
    throw e;
  }
  const files: Record<string, string> = {};
  for (const name of Object.values(OUTPUT_FILES)) {
    const p = join(dir, name);
    if (await stat(p).catch(() => undefined)) files[name] = p;
  }
  const v = run.data.video;
  const annotated = files[OUTPUT_FILES.video];
  return {
    dir,
    source: run.data.source,
    ...(annotated ? { annotated } : {}),
    fps: v.fps,
    width: v.width,
    height: v.height,
    frames: v.frames ?? run.data.frames_decoded ?? 0,
    stride: run.data.stride,
    samples,
    files,
  };
}
