/**
 * The Azaion API contract as zod schemas: what the client sends and what it accepts back. A body
 * that does not match is an ApiError naming the field, never a crash further down.
 *
 *   POST /login                    {email, password}            -> {token}
 *   POST /resources/{folder}       multipart, file field "data" -> {name, size, sha256}
 *   POST /resources/get/{folder}   {fileName, hardware}         -> octet-stream: the resource in an
 *                                                                  envelope under the hardware-bound key
 *   errors: 4xx/5xx with {message} (other bodies are reported as text)
 */
import { z } from "zod";

export const loginResponseSchema = z.object({ token: z.string().min(1) });

export const uploadResponseSchema = z.object({
  name: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits"),
});
export type UploadResponse = z.infer<typeof uploadResponseSchema>;

export const errorResponseSchema = z.object({ message: z.string() });

export const loginRequestSchema = z
  .object({ email: z.string().min(1), password: z.string().min(1) })
  .strict();
export const downloadRequestSchema = z
  .object({
    fileName: z.string().min(1),
    hardware: z.string().regex(/^[0-9a-f]{64}$/, "a 64-hex-digit hardware fingerprint"),
  })
  .strict();
export type DownloadRequest = z.infer<typeof downloadRequestSchema>;

/** A folder or resource name: one path segment, no traversal, no odd characters. */
export const resourceNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/,
    "letters, digits, '.', '_' and '-', starting with a letter or digit",
  );
