/**
 * Class mapping: source label names -> slot ids. A YAML file can name each label's class:
 *
 *   default_mode: Norm                        # mode for entries that name only a base class
 *   classes:
 *     tank: ArmorVehicle                      # base class, in the default mode
 *     person: "MilitaryMan (Night)"           # display name: class and mode
 *     "snow truck": { class: Truck, mode: Wint }
 *     car: 2                                  # a slot id
 *     tree: null                              # skip these objects on purpose (not reported)
 *
 * Labels the file lacks (or every label, without a file) resolve by the catalog's own names.
 * Matching is case-insensitive. A --mode on the command line overrides default_mode.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { ClassCatalog } from "../../core/classes.js";
import { ConfigError } from "../../core/errors.js";
import { zodIssuesToText } from "../../core/zod-text.js";

const entrySchema = z.union([
  z.string().min(1),
  z.number().int(),
  z.object({ class: z.string().min(1), mode: z.string().min(1).optional() }).strict(),
  z.null(),
]);
const mappingSchema = z
  .object({
    default_mode: z.string().min(1).optional(),
    classes: z.record(z.string(), entrySchema).default({}),
  })
  .strict();

/** undefined: no class matches (unmapped); null: skipped on purpose; a number: the slot id. */
export type Resolution = number | null | undefined;

export interface ClassMapper {
  resolve(name: string): Resolution;
}

function keyOf(name: string): string {
  return name.trim().replace(/\s+/g, " ").toLowerCase();
}

/** Map names with the catalog alone, or with a mapping's entries first. */
export function classMapper(
  catalog: ClassCatalog,
  mode: string,
  entries = new Map<string, number | null>(),
): ClassMapper {
  const cache = new Map<string, Resolution>();
  return {
    resolve(name) {
      const key = keyOf(name);
      if (entries.has(key)) return entries.get(key);
      if (!cache.has(key)) cache.set(key, catalog.resolveName(key, mode));
      return cache.get(key);
    },
  };
}

/** Read, validate and resolve a mapping file; every bad entry is named in one ConfigError. */
export async function loadMapping(
  file: string,
  catalog: ClassCatalog,
  cliMode?: string,
): Promise<ClassMapper> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read the mapping file ${file}: ${(e as Error).message}`, file);
  }
  return parseMapping(text, file, catalog, cliMode);
}

export function parseMapping(
  text: string,
  file: string,
  catalog: ClassCatalog,
  cliMode?: string,
): ClassMapper {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML: ${(e as Error).message}`, file);
  }
  const parsed = mappingSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const { key, text: why } = zodIssuesToText(parsed.error);
    throw new ConfigError(`${file}: ${why}`, file, key);
  }
  const errors: { key: string; message: string }[] = [];
  const modeNames = catalog.modes.map((m) => m.name).join(", ");
  const fileMode = parsed.data.default_mode;
  if (fileMode !== undefined && !catalog.findMode(fileMode)) {
    errors.push({ key: "default_mode", message: `unknown weather mode "${fileMode}" (known: ${modeNames})` });
  }
  const mode =
    cliMode ?? (fileMode !== undefined && catalog.findMode(fileMode) ? fileMode : catalog.modes[0]!.name);

  const entries = new Map<string, number | null>();
  const firstKey = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed.data.classes)) {
    const key = `classes.${name}`;
    const k = keyOf(name);
    const before = firstKey.get(k);
    if (before !== undefined) {
      errors.push({
        key,
        message: `"${name}" and "${before}" are the same label (names match case-insensitively)`,
      });
      continue;
    }
    firstKey.set(k, name);
    const result = resolveEntry(value, mode, catalog);
    if (typeof result === "string") errors.push({ key, message: result });
    else entries.set(k, result);
  }
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new ConfigError(
      `${file}: ${errors.map((e) => `${e.key}: ${e.message}`).join("; ")}`,
      file,
      first.key,
    );
  }
  return classMapper(catalog, mode, entries);
}

/** A slot id, null (skip), or why the entry is wrong. */
function resolveEntry(
  value: z.infer<typeof entrySchema>,
  mode: string,
  catalog: ClassCatalog,
): number | null | string {
  const known = () => `known classes: ${catalog.baseClasses.map((c) => c.name).join(", ")}`;
  if (value === null) return null;
  if (typeof value === "number") return catalog.whyInvalid(value) ?? value;
  if (typeof value === "string") {
    return (
      catalog.resolveName(value, mode) ??
      `unknown class "${value}" (a base class, "Class (Mode)" or a slot id; ${known()})`
    );
  }
  const base = catalog.findBase(value.class);
  if (!base) return `unknown class "${value.class}" (${known()})`;
  const m = value.mode ?? mode;
  const wm = catalog.findMode(m);
  if (!wm) return `unknown weather mode "${m}" (known: ${catalog.modes.map((x) => x.name).join(", ")})`;
  return base.index + wm.offset;
}
