/**
 * Errors of the platform layer (API, CDN, encryption). Each says what was being done and what to
 * check, so the message alone is enough for a user; `code` lets callers branch.
 */
import { AzaionError } from "../core/errors.js";

/** The API answered with an error status, an unusable body, or could not be reached. */
export class ApiError extends AzaionError {
  constructor(
    message: string,
    /** HTTP status; undefined when no response came (network, TLS, timeout). */
    readonly status?: number,
    code = "E_API",
  ) {
    super(message, code);
  }
}

/** The S3 CDN refused a request, could not be reached, or returned other bytes than expected. */
export class CdnError extends AzaionError {
  constructor(message: string, code = "E_CDN") {
    super(message, code);
  }
}

/** Encrypted data that was altered: a flipped bit, a truncated or reordered chunk, a wrong hash. */
export class IntegrityError extends AzaionError {
  constructor(message: string) {
    super(message, "E_INTEGRITY");
  }
}

/** The key does not open the data: another secret, or (hardware-bound data) another machine. */
export class WrongKeyError extends AzaionError {
  constructor(message: string) {
    super(message, "E_WRONG_KEY");
  }
}

/** Data that is not in one of our formats at all (bad magic, unknown version). */
export class FormatError extends AzaionError {
  constructor(message: string) {
    super(message, "E_FORMAT");
  }
}
