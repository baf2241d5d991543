/** JSON Web Tokens (HS256) for the reference API, with node:crypto; the key is random per server. */
import { createHmac, timingSafeEqual } from "node:crypto";

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export function signJwt(claims: Record<string, unknown>, key: Buffer): string {
  const head = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64(JSON.stringify(claims))}`;
  return `${head}.${b64(createHmac("sha256", key).update(head).digest())}`;
}

/** The claims of a valid, unexpired token, or undefined. */
export function verifyJwt(
  token: string,
  key: Buffer,
  nowSec = Date.now() / 1000,
): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const want = createHmac("sha256", key).update(`${parts[0]}.${parts[1]}`).digest();
  const got = Buffer.from(parts[2]!, "base64url");
  if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString()) as { alg?: unknown };
    if (header.alg !== "HS256") return undefined;
    const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString()) as Record<string, unknown>;
    if (typeof claims.exp !== "number" || claims.exp <= nowSec) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
