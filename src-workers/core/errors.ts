/**
 * Typed errors of the engine. Every error that reaches a person names where it comes from
 * (a file, a line, a config key), so the message alone is enough to fix the input.
 */
export class AzaionError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Wrong command-line usage: the CLI exits with code 2. */
export class UsageError extends AzaionError {
  constructor(message: string) {
    super(message, "E_USAGE");
  }
}

/** A config file or environment override that does not validate; names the file and key. */
export class ConfigError extends AzaionError {
  constructor(
    message: string,
    readonly file: string,
    readonly key?: string,
  ) {
    super(message, "E_CONFIG");
  }
}

/** A class id outside the 80 slots, or a slot that no class uses. */
export class ClassIdError extends AzaionError {
  constructor(
    message: string,
    readonly classId: number,
  ) {
    super(message, "E_CLASS_ID");
  }
}

/** Input data (an image, a label, an annotation file) that cannot be used; names the file and line. */
export class DataError extends AzaionError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`, "E_DATA");
  }
}

/** Refusal to write over existing data without an explicit --force. */
export class OverwriteError extends AzaionError {
  constructor(readonly file: string) {
    super(`${file} already exists; pass --force to overwrite it`, "E_OVERWRITE");
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
