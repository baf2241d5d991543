/**
 * Key derivation. No key is ever a constant in code: every key comes from a secret the user
 * holds (environment or secrets file) through scrypt, and per file through HKDF (envelope.ts).
 *
 *   secret-derived key  = scrypt(secret, "azaion/v1/key/" + purpose, N=2^15, r=8, p=1, 32 bytes)
 *   hardware-bound key  = scrypt(user secret, "azaion/v1/hardware/" + email + "/" + fingerprint, same cost)
 *
 * The salts are domain separators (which key, which user, which machine); the per-file randomness
 * is the envelope's 32-byte salt. scrypt makes guessing a weak secret cost ~50 ms and 32 MiB per try.
 * The hardware-bound key is what the API uses to encrypt a resource for one machine: the server
 * knows the user's secret (their API password) and receives the fingerprint with the request;
 * the client derives the same key from its own fingerprint, so a copy of the bytes on another
 * machine (another fingerprint) does not open (WrongKeyError).
 */
import { scryptSync } from "node:crypto";
import type { EnvelopeKey } from "./envelope.js";

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 << 20 } as const;

function scrypt(secret: string, salt: string): Buffer {
  if (secret.length === 0) throw new Error("a key cannot be derived from an empty secret");
  return scryptSync(Buffer.from(secret, "utf8"), Buffer.from(salt, "utf8"), 32, SCRYPT);
}

/** A key from a secret alone, for one purpose (e.g. "model" for protected model files). */
export function deriveSecretKey(secret: string, purpose: string): EnvelopeKey {
  return { bytes: scrypt(secret, `azaion/v1/key/${purpose}`), kind: "secret" };
}

/** The key bound to one user on one machine: `fingerprint` is the hex hash of fingerprint.ts. */
export function deriveHardwareKey(secret: string, email: string, fingerprint: string): EnvelopeKey {
  if (!/^[0-9a-f]{64}$/.test(fingerprint)) throw new Error("a hardware fingerprint is 64 hex digits");
  return {
    bytes: scrypt(secret, `azaion/v1/hardware/${email.trim().toLowerCase()}/${fingerprint}`),
    kind: "hardware",
  };
}
