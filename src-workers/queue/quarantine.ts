/**
 * Messages that cannot be applied, kept with their offset and the reason: queue/quarantine/
 *   <offset>.json  { stream, offset, reason, name (when it decoded that far), bytes, time }
 *   <offset>.bin   the message body exactly as received, to inspect or replay once fixed
 * Names are the zero-padded offset, so a listing is in stream order and a message quarantined
 * again after a crash overwrites its own entry (idempotent, like every other write of the queue).
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { DirSync } from "./durable.js";

export interface QuarantineEntry {
  readonly stream: string;
  readonly offset: number;
  readonly reason: string;
  readonly name: string | null;
  readonly bytes: number;
  readonly time: string;
}

export function quarantineStem(offset: number): string {
  return String(offset).padStart(16, "0");
}

/** Write the entry (the body first, then its description); `sync` makes the folder durable on flush(). */
export async function quarantineMessage(
  dir: string,
  entry: Omit<QuarantineEntry, "time" | "bytes">,
  body: Uint8Array,
  sync: DirSync,
): Promise<QuarantineEntry> {
  const full: QuarantineEntry = { ...entry, bytes: body.length, time: new Date().toISOString() };
  const stem = quarantineStem(entry.offset);
  await sync.write(join(dir, `${stem}.bin`), body);
  await sync.write(join(dir, `${stem}.json`), `${JSON.stringify(full, null, 2)}\n`);
  return full;
}

/** How many messages are in quarantine now. */
export async function quarantineCount(dir: string): Promise<number> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith(".json")).length;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw e;
  }
}
