/** Number options of the CLI, checked the same way everywhere: the flag, what was given, the range. */
import { UsageError } from "../core/errors.js";

export function numberOption(flag: string, text: string, min: number, max: number): number {
  const n = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`${flag} ${text}: expected a number from ${min} to ${max}`);
  return n;
}

export function wholeOption(flag: string, text: string, min: number, max: number): number {
  const n = Number(text.trim());
  if (!/^[-+]?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} ${text}: expected a whole number from ${min} to ${max}`);
  return n;
}
