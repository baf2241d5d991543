/**
 * The class system: base classes x weather modes laid into a fixed number of slots (80).
 * id = base index + mode offset. A model always has nc = slots, so one model serves every mode.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ClassIdError, ConfigError } from "./errors.js";
import { defaultConfigDir } from "./package-root.js";
import { zodIssuesToText } from "./zod-text.js";

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour is #rrggbb");
const name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a name is letters, digits, _ or -, starting with a letter");

export const classesFileSchema = z
  .object({
    slots: z.number().int().positive(),
    modes: z.array(z.object({ name, offset: z.number().int().nonnegative() })).min(1),
    classes: z.array(z.object({ name, colour })).min(1),
  })
  .strict();
export type ClassesFile = z.infer<typeof classesFileSchema>;

export interface BaseClass {
  readonly index: number;
  readonly name: string;
  readonly colour: string;
}

export interface WeatherMode {
  readonly index: number;
  readonly name: string;
  readonly offset: number;
}

export interface ClassSlot {
  readonly id: number;
  readonly base: BaseClass;
  readonly mode: WeatherMode;
  /** "Truck (Night)". */
  readonly displayName: string;
}

export class ClassCatalog {
  readonly slots: number;
  readonly baseClasses: readonly BaseClass[];
  readonly modes: readonly WeatherMode[];
  private readonly bySlot: (ClassSlot | undefined)[];
  private readonly byName = new Map<string, ClassSlot>();

  constructor(file: ClassesFile, source = "classes") {
    this.slots = file.slots;
    this.baseClasses = file.classes.map((c, index) => ({
      index,
      name: c.name,
      colour: c.colour.toLowerCase(),
    }));
    this.modes = file.modes.map((m, index) => ({ index, name: m.name, offset: m.offset }));
    this.bySlot = new Array<ClassSlot | undefined>(file.slots).fill(undefined);
    const seen = new Set<string>();
    for (const n of [...file.classes.map((c) => c.name), ...file.modes.map((m) => m.name)]) {
      if (seen.has(n.toLowerCase())) throw new ConfigError(`name "${n}" is defined twice`, source, "classes");
      seen.add(n.toLowerCase());
    }
    for (const mode of this.modes) {
      for (const base of this.baseClasses) {
        const id = base.index + mode.offset;
        if (id >= this.slots) {
          throw new ConfigError(
            `${base.name} in mode ${mode.name} needs slot ${id}, beyond the ${this.slots} slots`,
            source,
            "modes",
          );
        }
        if (this.bySlot[id]) {
          throw new ConfigError(
            `slot ${id} is used twice (${this.bySlot[id].displayName} and ${base.name} in ${mode.name})`,
            source,
            "modes",
          );
        }
        const slot: ClassSlot = { id, base, mode, displayName: `${base.name} (${mode.name})` };
        this.bySlot[id] = slot;
        this.byName.set(slot.displayName.toLowerCase(), slot);
      }
    }
  }

  /** Slot ids in use, ascending. */
  usedIds(): number[] {
    return this.bySlot.flatMap((s, id) => (s ? [id] : []));
  }

  isUsed(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.slots && this.bySlot[id] !== undefined;
  }

  /** Why an id cannot be used, or undefined when it can. */
  whyInvalid(id: number): string | undefined {
    if (!Number.isInteger(id)) return `class id ${id} is not an integer`;
    if (id < 0 || id >= this.slots)
      return `class ${id} is outside the ${this.slots} class slots (0-${this.slots - 1})`;
    if (this.bySlot[id] === undefined) {
      const used = this.modes.map((m) => `${m.offset}-${m.offset + this.baseClasses.length - 1}`).join(", ");
      return `class ${id} is an unused slot (used slots: ${used})`;
    }
    return undefined;
  }

  /** The slot of an id; throws ClassIdError for an unused or out-of-range id. */
  slot(id: number): ClassSlot {
    const why = this.whyInvalid(id);
    if (why !== undefined) throw new ClassIdError(why, id);
    return this.bySlot[id]!;
  }

  idOf(base: string | number, mode: string | number = 0): number {
    const b = typeof base === "number" ? this.baseClasses[base] : this.findBase(base);
    if (!b)
      throw new ClassIdError(
        `unknown base class "${base}" (known: ${this.baseClasses.map((c) => c.name).join(", ")})`,
        -1,
      );
    const m = typeof mode === "number" ? this.modes[mode] : this.findMode(mode);
    if (!m)
      throw new ClassIdError(
        `unknown weather mode "${mode}" (known: ${this.modes.map((x) => x.name).join(", ")})`,
        -1,
      );
    return b.index + m.offset;
  }

  findBase(name: string): BaseClass | undefined {
    const n = name.trim().toLowerCase();
    return this.baseClasses.find((c) => c.name.toLowerCase() === n);
  }

  findMode(name: string): WeatherMode | undefined {
    const n = name.trim().toLowerCase();
    return this.modes.find((m) => m.name.toLowerCase() === n);
  }

  /**
   * Resolve a name to a slot id: a display name ("Truck (Night)"), or a base class name,
   * which takes `defaultMode` (Norm unless told). Case-insensitive. Undefined when unknown.
   */
  resolveName(name: string, defaultMode: string | number = 0): number | undefined {
    const exact = this.byName.get(
      name
        .trim()
        .toLowerCase()
        .replace(/\s*\(\s*/, " (")
        .replace(/\s*\)$/, ")"),
    );
    if (exact) return exact.id;
    const base = this.findBase(name);
    if (!base) return undefined;
    const mode = typeof defaultMode === "number" ? this.modes[defaultMode] : this.findMode(defaultMode);
    return mode ? base.index + mode.offset : undefined;
  }

  displayName(id: number): string {
    return this.slot(id).displayName;
  }

  colour(id: number): string {
    return this.slot(id).base.colour;
  }

  /** Names for every slot, as a YOLO data.yaml lists them: used slots by display name, others "unused_<id>". */
  slotNames(): string[] {
    return this.bySlot.map((s, id) => (s ? s.displayName : `unused_${id}`));
  }
}

export function parseClassesFile(text: string, source: string): ClassCatalog {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${source}: not valid YAML: ${(err as Error).message}`, source);
  }
  const parsed = classesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const { key, text: why } = zodIssuesToText(parsed.error);
    throw new ConfigError(`${source}: ${why}`, source, key);
  }
  return new ClassCatalog(parsed.data, source);
}

export function loadClassCatalog(file = join(defaultConfigDir(), "classes.yaml")): ClassCatalog {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read the class table ${file}: ${(err as Error).message}`, file);
  }
  return parseClassesFile(text, file);
}

let defaultCatalog: ClassCatalog | undefined;

/** The catalog of the shipped config/classes.yaml, loaded once. */
export function classCatalog(): ClassCatalog {
  return (defaultCatalog ??= loadClassCatalog());
}
