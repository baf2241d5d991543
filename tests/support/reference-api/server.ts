/**
 * A reference Azaion API for development and tests (test support, never shipped): the three
 * endpoints of src-workers/platform/api-schemas.ts over HTTPS, with JWT bearer tokens and
 * resources served encrypted under the hardware-bound key (the same derivation as the client's).
 * Resources live in memory. Like the real API, a user's first download binds their hardware
 * fingerprint; a later download from another fingerprint is refused (403).
 *
 * Faults for tests: `fail(n, status)` answers the next n requests with that status,
 * `malform(body)` answers the next one with a raw 200 body, `expireTokens()` invalidates every
 * token issued so far (the next call gets 401). `log` records every request's path and status.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  downloadRequestSchema,
  loginRequestSchema,
  resourceNameSchema,
} from "../../../src-workers/platform/api-schemas.js";
import { encryptBuffer } from "../../../src-workers/platform/envelope.js";
import { deriveHardwareKey } from "../../../src-workers/platform/keys.js";
import { signJwt, verifyJwt } from "./jwt.js";
import { parseMultipartFile } from "./multipart.js";

export interface ReferenceUser {
  readonly email: string;
  readonly password: string;
}

export interface ReferenceApiOptions {
  readonly users: readonly ReferenceUser[];
  readonly tls: { readonly cert: string; readonly key: string };
  readonly tokenTtlSec?: number;
  /** Largest request body accepted (default 64 MiB). */
  readonly maxBodyBytes?: number;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export class ReferenceApi {
  readonly log: RequestRecord[] = [];
  /** folder -> file name -> bytes. */
  readonly store = new Map<string, Map<string, Buffer>>();
  /** email -> bound hardware fingerprint. */
  readonly hardware = new Map<string, string>();
  private readonly jwtKey = randomBytes(32);
  private generation = 0;
  private failures: { count: number; status: number } = { count: 0, status: 500 };
  private malformed: string | undefined;
  private server: Server | undefined;
  url = "";

  constructor(private readonly opts: ReferenceApiOptions) {}

  async start(): Promise<this> {
    this.server = createServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => this.reply(req, res, 500, { message: String(err) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  fail(count: number, status: number): void {
    this.failures = { count, status };
  }

  malform(body: string): void {
    this.malformed = body;
  }

  expireTokens(): void {
    this.generation++;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, this.opts.maxBodyBytes ?? 64 << 20);
    if (body === undefined) return this.reply(req, res, 413, { message: "request body too large" });
    if (this.failures.count > 0) {
      this.failures.count--;
      return this.reply(req, res, this.failures.status, { message: "injected failure" });
    }
    if (this.malformed !== undefined) {
      const raw = this.malformed;
      this.malformed = undefined;
      this.log.push({ method: req.method ?? "", path: req.url ?? "", status: 200 });
      res.writeHead(200, { "content-type": "application/json" }).end(raw);
      return;
    }
    const path = new URL(req.url ?? "/", "https://x").pathname;
    if (req.method !== "POST") return this.reply(req, res, 405, { message: "only POST is served" });
    if (path === "/login") return this.login(req, res, body);
    const email = this.authorised(req);
    if (!email) return this.reply(req, res, 401, { message: "missing, invalid or expired token" });
    const get = /^\/resources\/get\/([^/]+)$/.exec(path);
    if (get) return this.download(req, res, email, decodeURIComponent(get[1]!), body);
    const up = /^\/resources\/([^/]+)$/.exec(path);
    if (up) return this.upload(req, res, decodeURIComponent(up[1]!), body);
    return this.reply(req, res, 404, { message: `no route ${path}` });
  }

  private login(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const parsed = loginRequestSchema.safeParse(parseJson(body));
    if (!parsed.success) return this.reply(req, res, 400, { message: "email and password are required" });
    const user = this.opts.users.find(
      (u) => u.email === parsed.data.email && u.password === parsed.data.password,
    );
    if (!user) return this.reply(req, res, 401, { message: "wrong email or password" });
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(
      { sub: user.email, gen: this.generation, iat: now, exp: now + (this.opts.tokenTtlSec ?? 3600) },
      this.jwtKey,
    );
    this.reply(req, res, 200, { token });
  }

  private authorised(req: IncomingMessage): string | undefined {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    const claims = m ? verifyJwt(m[1]!, this.jwtKey) : undefined;
    if (!claims || claims.gen !== this.generation || typeof claims.sub !== "string") return undefined;
    return claims.sub;
  }

  private upload(req: IncomingMessage, res: ServerResponse, folder: string, body: Buffer): void {
    if (!resourceNameSchema.safeParse(folder).success)
      return this.reply(req, res, 400, { message: "bad folder name" });
    const file = parseMultipartFile(body, req.headers["content-type"] ?? "");
    if (typeof file === "string") return this.reply(req, res, 400, { message: file });
    if (file.field !== "data" || !resourceNameSchema.safeParse(file.fileName).success)
      return this.reply(req, res, 400, {
        message: 'expected one file in the field "data" with a plain name',
      });
    const files = this.store.get(folder) ?? new Map<string, Buffer>();
    files.set(file.fileName, Buffer.from(file.data));
    this.store.set(folder, files);
    const sha256 = createHash("sha256").update(file.data).digest("hex");
    this.reply(req, res, 200, { name: file.fileName, size: file.data.length, sha256 });
  }

  private download(
    req: IncomingMessage,
    res: ServerResponse,
    email: string,
    folder: string,
    body: Buffer,
  ): void {
    const parsed = downloadRequestSchema.safeParse(parseJson(body));
    if (!parsed.success) return this.reply(req, res, 400, { message: "fileName and hardware are required" });
    const { fileName, hardware } = parsed.data;
    const bound = this.hardware.get(email);
    if (bound !== undefined && bound !== hardware)
      return this.reply(req, res, 403, { message: "this account is bound to another machine's hardware" });
    const data = this.store.get(folder)?.get(fileName);
    if (!data) return this.reply(req, res, 404, { message: `no resource ${folder}/${fileName}` });
    this.hardware.set(email, hardware);
    const user = this.opts.users.find((u) => u.email === email)!;
    const sealed = encryptBuffer(data, deriveHardwareKey(user.password, user.email, hardware));
    this.log.push({ method: "POST", path: req.url ?? "", status: 200 });
    res
      .writeHead(200, { "content-type": "application/octet-stream", "content-length": sealed.length })
      .end(sealed);
  }

  private reply(req: IncomingMessage, res: ServerResponse, status: number, json: unknown): void {
    this.log.push({ method: req.method ?? "", path: req.url ?? "", status });
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
