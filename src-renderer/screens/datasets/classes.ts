/** Class arithmetic for the editor's keys: a base class in the box's current weather mode, or the next mode. */
import type { AppInfo } from "../../../src-workers/host/contract/index.js";

/** The class of base `baseIndex` in the same weather mode as `current` (Norm when unknown). */
export function classForBase(info: AppInfo, baseIndex: number, current: number): number | undefined {
  const mode = info.classes.find((c) => c.id === current)?.mode ?? info.modes[0];
  return (
    info.classes.find((c) => c.baseIndex === baseIndex && c.mode === mode)?.id ??
    info.classes.find((c) => c.baseIndex === baseIndex)?.id
  );
}

/** The same base class in the next weather mode (Norm -> Wint -> Night -> Norm). */
export function nextMode(info: AppInfo, current: number): number | undefined {
  const c = info.classes.find((x) => x.id === current);
  if (!c) return undefined;
  const i = info.modes.indexOf(c.mode);
  for (let k = 1; k <= info.modes.length; k++) {
    const mode = info.modes[(i + k) % info.modes.length];
    const next = info.classes.find((x) => x.baseIndex === c.baseIndex && x.mode === mode);
    if (next) return next.id;
  }
  return undefined;
}
