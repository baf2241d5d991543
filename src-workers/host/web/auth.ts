/**
 * Token authentication of the web host. Loopback needs none (the machine's own users); any other
 * address does: a token given on the page URL (?token=, then kept as an HttpOnly SameSite=Strict
 * cookie), as `Authorization: Bearer`, or as the cookie. The WebSocket upgrade additionally checks
 * Origin so another site open in the same browser cannot drive the API.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const TOKEN_COOKIE = "azaion_token";

export function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "::1" || host === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The token a request presents (query, bearer header or cookie), if any. */
export function presentedToken(req: IncomingMessage, url: URL): { token?: string; fromQuery: boolean } {
  const q = url.searchParams.get("token");
  if (q) return { token: q, fromQuery: true };
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) return { token: auth.slice(7).trim(), fromQuery: false };
  const c = cookieValue(req, TOKEN_COOKIE);
  return c ? { token: c, fromQuery: false } : { fromQuery: false };
}

export class Auth {
  /** undefined: no token required. */
  constructor(readonly token: string | undefined) {}

  check(req: IncomingMessage, url: URL): { ok: boolean; setCookie?: string } {
    if (this.token === undefined) return { ok: true };
    const p = presentedToken(req, url);
    if (p.token === undefined || !same(p.token, this.token)) return { ok: false };
    return p.fromQuery
      ? {
          ok: true,
          setCookie: `${TOKEN_COOKIE}=${encodeURIComponent(this.token)}; HttpOnly; SameSite=Strict; Path=/`,
        }
      : { ok: true };
  }
}

/** A browser's Origin must name the host the page came from (absent: not a browser, allowed). */
export function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Without a token the host trusts that only this machine reaches it; a page of another site that
 * points its own name at 127.0.0.1 (DNS rebinding) would send that name as Host, so only loopback
 * names are accepted then.
 */
export function loopbackHost(req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (host === undefined) return true;
  let name: string;
  try {
    name = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  return isLoopback(name.replace(/^\[|\]$/g, ""));
}
