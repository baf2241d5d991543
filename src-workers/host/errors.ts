/**
 * Errors of the host as they cross a process boundary: a code the UI can act on (contract/common.ts
 * rpcErrorSchema) and a message that names the file, line or field.
 */
import { z } from "zod";
import { AzaionError, errorMessage, OverwriteError, UsageError } from "../core/errors.js";
import type { RpcErrorBody } from "./contract/common.js";

export type HostErrorCode = RpcErrorBody["code"];

export class HostError extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "HostError";
  }
}

export const notFound = (message: string) => new HostError("not_found", message);
export const badRequest = (message: string) => new HostError("bad_request", message);
export const conflict = (message: string) => new HostError("conflict", message);
export const usage = (message: string) => new HostError("usage", message);

/** zod issues as one line: "params.filter.minBoxes: expected number". */
export function zodIssues(err: z.ZodError, prefix: string): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${[prefix, ...i.path.map(String)].join(".")}: ${i.message}`)
    .join("; ");
}

/** Any thrown value as the error body a client receives. */
export function toErrorBody(err: unknown): RpcErrorBody {
  if (err instanceof HostError) return { code: err.code, message: err.message };
  if (err instanceof z.ZodError) return { code: "bad_request", message: zodIssues(err, "params") };
  if (err instanceof UsageError || err instanceof OverwriteError)
    return { code: "usage", message: err.message };
  // DataError, ClassIdError, ConfigError and every other engine error.
  if (err instanceof AzaionError) return { code: "data", message: err.message };
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === "object" && e.code === "ENOENT")
    return { code: "not_found", message: `no such file or folder: ${e.path ?? e.message}` };
  if (e && typeof e === "object" && (e.code === "EACCES" || e.code === "EPERM"))
    return { code: "usage", message: `permission denied: ${e.path ?? e.message}` };
  return { code: "internal", message: errorMessage(err) };
}
