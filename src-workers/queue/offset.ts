/**
 * queue/offset.yaml: the offset of the last message whose files are on disk. Written atomically
 * (temp, fsync, rename, fsync of the folder) and only after the message's own files are durable, so
 * after a crash the consumer resumes at the next offset and, at worst, applies one message again
 * (which is idempotent). A file from another stream, or a damaged one, stops the consumer with a
 * message naming it instead of silently starting over.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { DataError } from "../core/errors.js";
import { zodIssuesToText } from "../core/zod-text.js";
import { writeDurable } from "./durable.js";

const offsetFileSchema = z
  .object({
    stream: z.string().min(1),
    offset: z.number().int().min(0),
    updated: z.string(),
  })
  .strict();

export type StoredOffset = z.infer<typeof offsetFileSchema>;

/** The stored offset of `stream`, or null when nothing was consumed yet. */
export async function readOffset(file: string, stream: string): Promise<StoredOffset | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new DataError(`cannot read: ${(e as Error).message}`, file);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new DataError(
      `not valid YAML (${(e as Error).message}); fix or delete it to start again from the first message`,
      file,
    );
  }
  const parsed = offsetFileSchema.safeParse(raw);
  if (!parsed.success) {
    const { text: why } = zodIssuesToText(parsed.error);
    throw new DataError(`${why}; fix or delete it to start again from the first message`, file);
  }
  if (parsed.data.stream !== stream) {
    throw new DataError(
      `holds the offset of stream "${parsed.data.stream}", not "${stream}"; move it away to consume "${stream}" into this data root`,
      file,
    );
  }
  return parsed.data;
}

export async function writeOffset(file: string, stream: string, offset: number): Promise<void> {
  const text =
    "# Last message of the stream whose files are on disk (azaion queue consume); consumption resumes after it.\n" +
    `stream: ${JSON.stringify(stream)}\noffset: ${offset}\nupdated: ${new Date().toISOString()}\n`;
  await writeDurable(file, text);
}
