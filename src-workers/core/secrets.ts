/**
 * Secrets (API password, S3 keys, queue credentials) come from environment variables or from a
 * YAML secrets file outside the repository, readable by its owner only (0600). Never from
 * committed config.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { packageRoot } from "./package-root.js";
import { zodIssuesToText } from "./zod-text.js";

export const SECRET_KEYS = [
  "api_password",
  "queue_password",
  "cdn_read_access_key",
  "cdn_read_secret_key",
  "cdn_write_access_key",
  "cdn_write_secret_key",
  "model_key_secret",
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

export const SECRET_ENV: Record<SecretKey, string> = Object.fromEntries(
  SECRET_KEYS.map((k) => [k, `AZAION_${k.toUpperCase()}`]),
) as Record<SecretKey, string>;

const secretsFileSchema = z
  .object(Object.fromEntries(SECRET_KEYS.map((k) => [k, z.string().min(1).optional()])))
  .strict();

export type Secrets = Partial<Record<SecretKey, string>>;

export function defaultSecretsFile(): string {
  return join(homedir(), ".config", "azaion", "secrets.yaml");
}

/**
 * Read secrets: the file (AZAION_SECRETS_FILE, else ~/.config/azaion/secrets.yaml when present),
 * then environment variables, which win. A file that group or others can read is refused, and so
 * is one inside the repository, where it could be committed.
 */
export function loadSecrets(env: NodeJS.ProcessEnv = process.env, repoRoot: string = packageRoot()): Secrets {
  const explicit = env.AZAION_SECRETS_FILE;
  const file = resolve(explicit ?? defaultSecretsFile());
  const secrets: Secrets = {};
  if (explicit !== undefined || existsSync(file)) Object.assign(secrets, readSecretsFile(file, repoRoot));
  for (const k of SECRET_KEYS) {
    const v = env[SECRET_ENV[k]];
    if (v !== undefined && v !== "") secrets[k] = v;
  }
  return secrets;
}

export function readSecretsFile(file: string, repoRoot: string): Secrets {
  const rel = relative(resolve(repoRoot), file);
  if (!rel.startsWith("..") && !rel.startsWith("/")) {
    throw new ConfigError(
      `${file}: a secrets file must live outside the repository (${repoRoot}), where it cannot be committed`,
      file,
    );
  }
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw new ConfigError(`cannot read secrets file ${file}: ${(err as Error).message}`, file);
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(
      `${file}: permissions ${(mode & 0o777).toString(8)} let others read it; refusing. Run: chmod 600 '${file}'`,
      file,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8")) ?? {};
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message}`, file);
  }
  const parsed = secretsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const { key, text } = zodIssuesToText(parsed.error);
    throw new ConfigError(`${file}: ${text}`, file, key);
  }
  return parsed.data;
}

/** A secret that must be present; the error says both ways to provide it. */
export function requireSecret(secrets: Secrets, key: SecretKey): string {
  const v = secrets[key];
  if (v === undefined) {
    throw new ConfigError(
      `missing secret ${key}: set ${SECRET_ENV[key]} or add "${key}" to the secrets file (${defaultSecretsFile()}, mode 0600)`,
      "secrets",
      key,
    );
  }
  return v;
}
