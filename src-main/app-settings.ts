/** What the desktop app remembers besides the window: the data root last opened (File > Open Data Root). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../src-workers/core/labels.js";

const settingsSchema = z.object({ root: z.string().min(1).optional() });
export type AppSettings = z.infer<typeof settingsSchema>;
export const SETTINGS_FILE = "settings.json";

export async function loadSettings(dir: string): Promise<AppSettings> {
  try {
    const parsed = settingsSchema.safeParse(JSON.parse(await readFile(join(dir, SETTINGS_FILE), "utf8")));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

export async function saveSettings(dir: string, s: AppSettings): Promise<void> {
  await writeFileAtomic(join(dir, SETTINGS_FILE), JSON.stringify(settingsSchema.parse(s), null, 2) + "\n");
}

/**
 * The data root, in order: `--root DIR` on the command line, AZAION_ROOT (already in the loaded
 * config), the root opened last time, the config's root.
 */
export function chooseRoot(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  saved: AppSettings,
  configRoot: string,
): string {
  const i = argv.indexOf("--root");
  const flag = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--root="))?.slice("--root=".length);
  if (flag) return flag;
  if (env.AZAION_ROOT) return configRoot;
  return saved.root ?? configRoot;
}
