/**
 * Client of the Azaion REST API (contract in api-schemas.ts). Logs in for a JWT on first use,
 * sends it as a bearer token on every call and logs in again once when a call answers 401
 * (an expired token); network errors and 5xx are retried with backoff (https.ts), 4xx never.
 */
import { readFileSync, statSync } from "node:fs";
import type { z } from "zod";
import { zodIssuesToText } from "../core/zod-text.js";
import {
  errorResponseSchema,
  loginResponseSchema,
  resourceNameSchema,
  uploadResponseSchema,
  type UploadResponse,
} from "./api-schemas.js";
import { sha256, sha256OfFile } from "./checksums.js";
import { decryptBuffer, type EnvelopeKey } from "./envelope.js";
import { ApiError } from "./errors.js";
import { httpsCall, type HttpsOptions, type HttpsRequest, type HttpsResponse } from "./https.js";
import { deriveHardwareKey } from "./keys.js";
import { multipartFile, type UploadSource } from "./multipart.js";

export interface ApiClientOptions {
  /** Base URL, https only (config api.url). */
  readonly url: string;
  readonly email: string;
  readonly password: string;
  /** PEM file of an extra CA to trust (config api.ca_file); "" or undefined: system CAs only. */
  readonly caFile?: string;
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly backoffMs?: number;
  /** Largest resource accepted from /resources/get (default 1 GiB). */
  readonly maxResourceBytes?: number;
}

const JSON_LIMIT = 1 << 20;

export class ApiClient {
  private token: string | undefined;
  private readonly base: URL;
  private readonly http: HttpsOptions;
  private readonly hardwareKeys = new Map<string, EnvelopeKey>();

  constructor(private readonly opts: ApiClientOptions) {
    try {
      this.base = new URL(opts.url.endsWith("/") ? opts.url : `${opts.url}/`);
    } catch {
      throw new ApiError(`api.url: ${JSON.stringify(opts.url)} is not a URL`);
    }
    if (this.base.protocol !== "https:")
      throw new ApiError(`api.url: ${opts.url} must be https (certificates are always verified)`);
    let ca: string | undefined;
    if (opts.caFile) {
      try {
        ca = readFileSync(opts.caFile, "utf8");
      } catch (err) {
        throw new ApiError(`api.ca_file: cannot read ${opts.caFile}: ${(err as Error).message}`);
      }
      if (!ca.includes("-----BEGIN CERTIFICATE-----"))
        throw new ApiError(`api.ca_file: ${opts.caFile} holds no PEM certificate`);
    }
    this.http = {
      ...(ca ? { ca } : {}),
      timeoutMs: opts.timeoutMs ?? 30_000,
      retries: opts.retries ?? 3,
      backoffMs: opts.backoffMs ?? 250,
      maxResponseBytes: Math.max(JSON_LIMIT, opts.maxResourceBytes ?? 1 << 30),
    };
  }

  /** Log in (again) and keep the token; resolves to it. Wrong credentials: ApiError with status 401. */
  async login(): Promise<string> {
    const res = await this.send({
      method: "POST",
      url: new URL("login", this.base),
      headers: { "content-type": "application/json", accept: "application/json" },
      body: () => Buffer.from(JSON.stringify({ email: this.opts.email, password: this.opts.password })),
      what: "POST /login",
    });
    if (res.status === 401 || res.status === 403)
      throw new ApiError(
        `POST /login: the API refused the credentials of ${this.opts.email} (${res.status}${detail(res)}); check api.email and AZAION_API_PASSWORD`,
        res.status,
      );
    this.token = parseJson(res, loginResponseSchema, "POST /login").token;
    return this.token;
  }

  /** POST /resources/{folder}: upload one file (multipart); the server's SHA-256 must equal ours. */
  async uploadResource(folder: string, fileName: string, source: UploadSource): Promise<UploadResponse> {
    name("folder", folder);
    name("file name", fileName);
    const body = multipartFile("data", fileName, source);
    const what = `POST /resources/${folder}`;
    const res = await this.authorized({
      method: "POST",
      url: new URL(`resources/${encodeURIComponent(folder)}`, this.base),
      headers: {
        "content-type": body.contentType,
        "content-length": String(body.length),
        accept: "application/json",
      },
      body: body.open,
      what,
    });
    const out = parseJson(res, uploadResponseSchema, what);
    const sent = Buffer.isBuffer(source)
      ? { size: source.length, sha256: sha256(source) }
      : { size: statSync(source.file).size, sha256: await sha256OfFile(source.file) };
    if (out.sha256 !== sent.sha256 || out.size !== sent.size)
      throw new ApiError(
        `${what}: the server stored ${out.size} bytes with SHA-256 ${out.sha256}, we sent ${sent.size} bytes with ${sent.sha256}`,
      );
    return out;
  }

  /**
   * POST /resources/get/{folder}: the server encrypts the resource for this machine (hardware-bound
   * key from the user's password and `fingerprint`); it is decrypted here, in memory.
   */
  async getResource(folder: string, fileName: string, fingerprint: string): Promise<Buffer> {
    name("folder", folder);
    name("file name", fileName);
    const what = `POST /resources/get/${folder} (${fileName})`;
    const res = await this.authorized({
      method: "POST",
      url: new URL(`resources/get/${encodeURIComponent(folder)}`, this.base),
      headers: { "content-type": "application/json", accept: "application/octet-stream" },
      body: () => Buffer.from(JSON.stringify({ fileName, hardware: fingerprint })),
      what,
    });
    if (res.status !== 200) throw statusError(res, what);
    let key = this.hardwareKeys.get(fingerprint);
    if (!key) {
      key = deriveHardwareKey(this.opts.password, this.opts.email, fingerprint);
      this.hardwareKeys.set(fingerprint, key);
    }
    return decryptBuffer(res.body, key, `${folder}/${fileName} from the API`);
  }

  /** A call with the bearer token; one fresh login and one more try when it answers 401. */
  private async authorized(req: Omit<HttpsRequest, "headers"> & { headers: Record<string, string> }) {
    const token = this.token ?? (await this.login());
    const first = await this.send({ ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } });
    if (first.status !== 401) return first;
    const fresh = await this.login();
    const second = await this.send({ ...req, headers: { ...req.headers, authorization: `Bearer ${fresh}` } });
    if (second.status === 401)
      throw new ApiError(`${req.what}: unauthorized even with a fresh token${detail(second)}`, 401);
    return second;
  }

  private send(req: HttpsRequest): Promise<HttpsResponse> {
    return httpsCall(req, this.http);
  }
}

function name(what: string, value: string): void {
  const r = resourceNameSchema.safeParse(value);
  if (!r.success) throw new ApiError(`${what} ${JSON.stringify(value)}: ${r.error.issues[0]?.message}`);
}

function detail(res: HttpsResponse): string {
  const text = res.body.toString("utf8");
  try {
    const e = errorResponseSchema.safeParse(JSON.parse(text));
    if (e.success) return `: ${e.data.message}`;
  } catch {
    // not JSON: quote the start of the text
  }
  const t = text.replace(/\s+/g, " ").trim().slice(0, 200);
  return t ? `: ${t}` : "";
}

function statusError(res: HttpsResponse, what: string): ApiError {
  return new ApiError(`${what}: HTTP ${res.status}${detail(res)}`, res.status);
}

function parseJson<S extends z.ZodType>(res: HttpsResponse, schema: S, what: string): z.infer<S> {
  if (res.status < 200 || res.status > 299) throw statusError(res, what);
  let raw: unknown;
  try {
    raw = JSON.parse(res.body.toString("utf8"));
  } catch (err) {
    throw new ApiError(
      `${what}: the answer is not valid JSON (${(err as Error).message})`,
      res.status,
      "E_API_BODY",
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new ApiError(
      `${what}: unexpected answer: ${zodIssuesToText(parsed.error).text}`,
      res.status,
      "E_API_BODY",
    );
  return parsed.data;
}
