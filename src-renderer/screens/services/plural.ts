/** "1 warning", "2 warnings", "1 box", "3 boxes": a count with its noun in the right number. */
import { formatCount } from "../../ui/format.js";

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
