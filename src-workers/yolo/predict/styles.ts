/** Names and colours for drawing a model's classes. */
import type { ClassCatalog } from "../../core/classes.js";

export interface ClassStyle {
  readonly name: string;
  readonly colour: string;
}

/** Distinct colours for models whose classes are not our catalog's (Ultralytics' 20-colour palette). */
export const PALETTE = [
  "#042aff",
  "#0bdbeb",
  "#f3f3f3",
  "#00dfb7",
  "#111f68",
  "#ff6fdd",
  "#ff444f",
  "#cced00",
  "#00f344",
  "#bd00ff",
  "#00b4ff",
  "#dd00ba",
  "#00ffff",
  "#26c000",
  "#01ffb3",
  "#7d24ff",
  "#7b0068",
  "#ff1b6c",
  "#fc6d2f",
  "#a2ff0b",
];

/**
 * One style per class id. A model with as many classes as our catalog has slots uses the
 * catalog's display name and base colour for every id whose name is that slot's (so our own
 * models look as in the visualiser); other ids and other models keep their names and take the palette.
 */
export function classStyles(
  names: readonly string[] | Readonly<Record<number, string>>,
  nc: number,
  catalog?: ClassCatalog,
): ClassStyle[] {
  const byId = names as Readonly<Record<number, string>>;
  return Array.from({ length: nc }, (_, id) => {
    const name = byId[id] ?? String(id);
    if (catalog && nc === catalog.slots && catalog.isUsed(id) && catalog.resolveName(name) === id) {
      const slot = catalog.slot(id);
      return { name: slot.displayName, colour: slot.base.colour };
    }
    return { name, colour: PALETTE[id % PALETTE.length]! };
  });
}
