/**
 * The platform as configured: API client, CDN clients and the model store, from the config's
 * api:/cdn: sections and the secrets. Each piece asks for its secrets only when it is built, so
 * `azaion platform fingerprint` needs none and a download-only workstation needs no write keys.
 */
import type { AzaionConfig } from "../core/config.js";
import { ConfigError } from "../core/errors.js";
import { requireSecret, type Secrets } from "../core/secrets.js";
import { ApiClient } from "./api-client.js";
import { CdnReader, CdnWriter } from "./cdn.js";
import { machineFingerprint, type FingerprintSources } from "./fingerprint.js";
import { deriveSecretKey } from "./keys.js";
import { ModelStore } from "./model-store.js";
import type { CdnEndpoint } from "./s3.js";

export function apiFromConfig(cfg: AzaionConfig, secrets: Secrets): ApiClient {
  if (cfg.api.email === "")
    throw new ConfigError(
      "config api.email is empty: set it (or AZAION_API__EMAIL) to the account's e-mail",
      "config",
      "api.email",
    );
  return new ApiClient({
    url: cfg.api.url,
    email: cfg.api.email,
    password: requireSecret(secrets, "api_password"),
    caFile: cfg.api.ca_file,
    timeoutMs: cfg.api.timeout_ms,
  });
}

function endpoint(cfg: AzaionConfig): CdnEndpoint {
  return {
    endpoint: cfg.cdn.endpoint,
    region: cfg.cdn.region,
    bucket: cfg.cdn.bucket,
    pathStyle: cfg.cdn.path_style,
  };
}

export function cdnReaderFromConfig(cfg: AzaionConfig, secrets: Secrets): CdnReader {
  return new CdnReader(endpoint(cfg), {
    accessKeyId: requireSecret(secrets, "cdn_read_access_key"),
    secretAccessKey: requireSecret(secrets, "cdn_read_secret_key"),
  });
}

export function cdnWriterFromConfig(cfg: AzaionConfig, secrets: Secrets): CdnWriter {
  return new CdnWriter(endpoint(cfg), {
    accessKeyId: requireSecret(secrets, "cdn_write_access_key"),
    secretAccessKey: requireSecret(secrets, "cdn_write_secret_key"),
  });
}

/** The model store; `write` adds the CDN write client (uploads). */
export function modelStoreFromConfig(
  cfg: AzaionConfig,
  secrets: Secrets,
  opts: { write: boolean; fingerprintSources?: FingerprintSources },
): ModelStore {
  return new ModelStore({
    api: apiFromConfig(cfg, secrets),
    cdnRead: cdnReaderFromConfig(cfg, secrets),
    ...(opts.write ? { cdnWrite: cdnWriterFromConfig(cfg, secrets) } : {}),
    modelKey: deriveSecretKey(requireSecret(secrets, "model_key_secret"), "model"),
    fingerprint: async () => (await machineFingerprint(opts.fingerprintSources)).hash,
  });
}
