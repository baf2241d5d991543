/**
 * The platform layer's public face: Azaion API client, S3 CDN clients, the envelope format
 * (chunked AES-256-GCM), key derivation, the hardware fingerprint and protected models.
 */
export { ApiClient, type ApiClientOptions } from "./api-client.js";
export type { UploadResponse } from "./api-schemas.js";
export {
  CdnReader,
  CdnWriter,
  PART_BYTES,
  type DownloadResult,
  type ObjectInfo,
  type Progress,
  type UploadResult,
} from "./cdn.js";
export type { ByteSource } from "./checksums.js";
export { apiFromConfig, cdnReaderFromConfig, cdnWriterFromConfig, modelStoreFromConfig } from "./connect.js";
export {
  decryptBuffer,
  decryptStream,
  encryptBuffer,
  encryptStream,
  envelopeLength,
  type EnvelopeKey,
  type KeyKind,
} from "./envelope.js";
export { ApiError, CdnError, FormatError, IntegrityError, WrongKeyError } from "./errors.js";
export {
  machineFingerprint,
  systemSources,
  type Fingerprint,
  type FingerprintSources,
} from "./fingerprint.js";
export { deriveHardwareKey, deriveSecretKey } from "./keys.js";
export type { ModelManifest } from "./model-package.js";
export {
  bigPartKey,
  ModelStore,
  smallPartName,
  type ModelStoreDeps,
  type Stage,
  type StageProgress,
  type TransferOptions,
} from "./model-store.js";
export type { CdnCredentials, CdnEndpoint } from "./s3.js";
