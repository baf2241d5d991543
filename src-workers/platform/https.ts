/**
 * One HTTPS request over node:https, with the policy every API call shares: certificate
 * verification always on (an extra CA can be added, never verification turned off), a timeout
 * on the whole exchange, a cap on the response size, and retries with exponential backoff and
 * jitter for network errors and 5xx answers, never for 4xx (a 4xx will not change on its own).
 */
import { request } from "node:https";
import { rootCertificates } from "node:tls";
import type { Readable } from "node:stream";
import { ApiError } from "./errors.js";

export interface HttpsOptions {
  /** PEM of an extra certificate authority to trust (config api.ca_file), besides the system's. */
  readonly ca?: string;
  readonly timeoutMs: number;
  /** Further tries after the first for network errors and 5xx. */
  readonly retries: number;
  /** First backoff; doubled per try, with full jitter, capped at 10 s. */
  readonly backoffMs: number;
  readonly maxResponseBytes: number;
}

export interface HttpsRequest {
  readonly method: "GET" | "POST";
  readonly url: URL;
  readonly headers: Record<string, string>;
  /** A fresh body for every try (a stream cannot be sent twice). */
  readonly body?: () => Buffer | Readable;
  /** Names the call in errors, e.g. "POST /login". */
  readonly what: string;
}

export interface HttpsResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** Errors that retrying cannot fix: certificate problems. */
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|HOSTNAME|ALTNAME/;

export async function httpsCall(req: HttpsRequest, opts: HttpsOptions): Promise<HttpsResponse> {
  if (req.url.protocol !== "https:")
    throw new ApiError(`${req.what}: ${req.url.origin} is not https; the API is only spoken over TLS`);
  for (let attempt = 0; ; attempt++) {
    let outcome: HttpsResponse | ApiError;
    try {
      outcome = await once(req, opts);
    } catch (err) {
      outcome = err instanceof ApiError ? err : new ApiError(`${req.what}: ${(err as Error).message}`);
    }
    const retriable = outcome instanceof ApiError ? outcome.code === "E_API_NETWORK" : outcome.status >= 500;
    if (!retriable || attempt >= opts.retries) {
      if (outcome instanceof ApiError) {
        if (attempt > 0) outcome.message += ` (after ${attempt + 1} tries)`;
        throw outcome;
      }
      return outcome;
    }
    const cap = Math.min(10_000, opts.backoffMs * 2 ** attempt);
    await new Promise((r) => setTimeout(r, cap / 2 + Math.random() * (cap / 2)));
  }
}

function once(req: HttpsRequest, opts: HttpsOptions): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const body = req.body?.();
    const r = request(req.url, {
      method: req.method,
      headers: {
        ...req.headers,
        ...(Buffer.isBuffer(body) ? { "content-length": String(body.length) } : {}),
      },
      rejectUnauthorized: true,
      ...(opts.ca ? { ca: [...rootCertificates, opts.ca] } : {}),
    });
    const timer = setTimeout(() => {
      r.destroy(
        new ApiError(
          `${req.what}: no complete answer within ${opts.timeoutMs} ms`,
          undefined,
          "E_API_NETWORK",
        ),
      );
    }, opts.timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      if (err instanceof ApiError) return reject(err);
      const code = (err as NodeJS.ErrnoException).code ?? "";
      if (TLS_CODES.test(code) || TLS_CODES.test(err.message)) {
        return reject(
          new ApiError(
            `${req.what}: the server's certificate is not trusted (${code || err.message}); ` +
              `if the API uses a private CA, set api.ca_file to its PEM file`,
            undefined,
            "E_API_TLS",
          ),
        );
      }
      reject(
        new ApiError(`${req.what}: ${code ? `${code}: ` : ""}${err.message}`, undefined, "E_API_NETWORK"),
      );
    };
    r.on("error", fail);
    r.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > opts.maxResponseBytes) {
          res.destroy(new ApiError(`${req.what}: the answer is larger than ${opts.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on("error", fail);
      res.on("end", () => {
        clearTimeout(timer);
        if (!res.complete)
          return fail(
            new ApiError(`${req.what}: the connection closed mid-answer`, undefined, "E_API_NETWORK"),
          );
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    if (body === undefined) r.end();
    else if (Buffer.isBuffer(body)) r.end(body);
    else {
      body.on("error", (err) => r.destroy(err));
      body.pipe(r);
    }
  });
}
