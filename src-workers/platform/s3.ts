/**
 * The S3 client for any S3-compatible endpoint, and S3 errors turned into CdnErrors that say
 * what to check (a wrong key, a key without the right, a missing object).
 */
import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { CdnError } from "./errors.js";

export interface CdnEndpoint {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  /** Path-style URLs (endpoint/bucket/key), as MinIO and Ceph RGW want. */
  readonly pathStyle: boolean;
}

export interface CdnCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export function s3Client(ep: CdnEndpoint, creds: CdnCredentials): S3Client {
  // The SDK warns on every run under Node < 22 that *future* releases will need 22; the version in
  // our lock file supports Node 20 (Debian 12's), so the warning only alarms users. Set it to
  // "false" to see it again.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new S3Client({
    endpoint: ep.endpoint,
    region: ep.region,
    forcePathStyle: ep.pathStyle,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    // Checksums are ours (checksums.ts); the SDK's default streaming checksums need
    // aws-chunked uploads, which not every S3 implementation accepts (Ceph 16 answers 411).
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 4,
  });
}

/** A CdnError for a failed S3 call; `role` names the key pair used ("read" or "write"). */
export function cdnError(err: unknown, what: string, role: "read" | "write"): CdnError {
  if (err instanceof CdnError) return err;
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode;
    const hint: Record<string, string> = {
      AccessDenied: `the ${role} key has no right to do this`,
      SignatureDoesNotMatch: `the ${role} secret key is wrong (cdn_${role}_secret_key)`,
      InvalidAccessKeyId: `the ${role} access key is unknown to the server (cdn_${role}_access_key)`,
      NoSuchBucket: "the bucket does not exist (config cdn.bucket)",
      NoSuchKey: "no such object",
      NotFound: "no such object",
    };
    const code =
      err.name === "AccessDenied"
        ? "E_CDN_DENIED"
        : err.name === "NoSuchKey" || err.name === "NotFound"
          ? "E_CDN_NOT_FOUND"
          : "E_CDN";
    return new CdnError(
      `${what}: ${err.name}${status ? ` (HTTP ${status})` : ""}: ${hint[err.name] ?? err.message}`,
      code,
    );
  }
  const e = err as NodeJS.ErrnoException;
  return new CdnError(`${what}: ${e.code ? `${e.code}: ` : ""}${e.message ?? String(err)}`);
}
