/** The object painters, one per base class, keyed by the class names of config/classes.yaml. */
import type { ObjectKind } from "./kind.js";
import { TERRAIN_KINDS } from "./objects-terrain.js";
import { VEHICLE_KINDS } from "./objects-vehicles.js";

const KINDS = new Map<string, ObjectKind>(
  [...VEHICLE_KINDS, ...TERRAIN_KINDS].map((k) => [k.name.toLowerCase(), k]),
);

/** The painter of a base class; throws for a class the generator cannot draw. */
export function objectKind(name: string): ObjectKind {
  const k = KINDS.get(name.toLowerCase());
  if (!k)
    throw new Error(
      `synth has no painter for class "${name}" (it paints: ${[...KINDS.values()].map((x) => x.name).join(", ")})`,
    );
  return k;
}
