/**
 * Protected models: encrypt, split into a small part (API) and a big part (CDN), and back.
 * Plaintext never touches the disk on the way back: downloadAndDecrypt returns a Buffer, so an
 * inference or export caller can hand it to onnxruntime directly. (Upload encrypts to a temporary
 * file, which holds ciphertext only.)
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createHash } from "node:crypto";
import type { ApiClient } from "./api-client.js";
import { resourceNameSchema } from "./api-schemas.js";
import type { CdnReader, CdnWriter } from "./cdn.js";
import { sha256, sha256OfFile } from "./checksums.js";
import { DEFAULT_CHUNK_BYTES, decryptBuffer, encryptStream, type EnvelopeKey } from "./envelope.js";
import { UsageError } from "../core/errors.js";
import { CdnError, IntegrityError } from "./errors.js";
import {
  headBytesFor,
  MANIFEST_FORMAT,
  packSmallPart,
  unpackSmallPart,
  type ModelManifest,
} from "./model-package.js";

export interface ModelStoreDeps {
  readonly api: ApiClient;
  readonly cdnRead: CdnReader;
  /** Only for uploads; a download-only workstation holds read keys alone. */
  readonly cdnWrite?: CdnWriter;
  /** deriveSecretKey(model_key_secret, "model"). */
  readonly modelKey: EnvelopeKey;
  /** This machine's fingerprint hash (fingerprint.ts), for the hardware-bound small part. */
  readonly fingerprint: () => Promise<string>;
}

export type Stage = "encrypt" | "upload" | "download";
export type StageProgress = (stage: Stage, done: number, total: number) => void;

export interface TransferOptions {
  /** API folder of the small part; the big part's CDN key starts with it too. */
  readonly folder: string;
  readonly onProgress?: StageProgress;
}

export const smallPartName = (name: string) => `${name}.small`;
export const bigPartKey = (folder: string, name: string) => `${folder}/${name}.big`;

export class ModelStore {
  constructor(private readonly deps: ModelStoreDeps) {}

  /** Encrypt `file`, upload the big part to the CDN, then the small part with the manifest to the API. */
  async protectAndUpload(
    file: string,
    opts: TransferOptions & { readonly name?: string },
  ): Promise<ModelManifest> {
    const { cdnWrite } = this.deps;
    if (!cdnWrite)
      throw new CdnError(
        "uploading a model needs the CDN write keys (cdn_write_access_key, cdn_write_secret_key)",
      );
    const name = opts.name ?? basename(file, extname(file));
    checkName("model name", name);
    checkName("folder", opts.folder);
    const plainSize = (await stat(file)).size;
    const dir = await mkdtemp(join(tmpdir(), "azaion-model-"));
    try {
      const enc = join(dir, "model.enc");
      const plainHash = createHash("sha256");
      let done = 0;
      const count = new Transform({
        transform(c: Buffer, _e, cb) {
          plainHash.update(c);
          done += c.length;
          opts.onProgress?.("encrypt", done, plainSize);
          cb(null, c);
        },
      });
      await pipeline(
        createReadStream(file),
        count,
        encryptStream(this.deps.modelKey),
        createWriteStream(enc, { mode: 0o600 }),
      );
      const envSize = (await stat(enc)).size;
      const headBytes = headBytesFor(envSize);
      const head = Buffer.alloc(headBytes);
      const fh = await open(enc, "r");
      try {
        await fh.read(head, 0, headBytes, 0);
      } finally {
        await fh.close();
      }
      const big = await cdnWrite.upload(
        bigPartKey(opts.folder, name),
        { file: enc, start: headBytes },
        { onProgress: (d, t) => opts.onProgress?.("upload", d, t) },
      );
      const manifest: ModelManifest = {
        format: MANIFEST_FORMAT,
        name,
        folder: opts.folder,
        created: new Date().toISOString(),
        plain: { size: plainSize, sha256: plainHash.digest("hex") },
        envelope: { size: envSize, sha256: await sha256OfFile(enc), chunkBytes: DEFAULT_CHUNK_BYTES },
        small: { fileName: smallPartName(name), headBytes, headSha256: sha256(head) },
        big: { key: big.key, size: big.size, sha256: big.sha256, etag: big.etag },
      };
      await this.deps.api.uploadResource(opts.folder, manifest.small.fileName, packSmallPart(manifest, head));
      return manifest;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Download both parts, verify, reassemble and decrypt in memory; the model's bytes, checked by SHA-256. */
  async downloadAndDecrypt(
    name: string,
    opts: TransferOptions,
  ): Promise<{ model: Buffer; manifest: ModelManifest }> {
    checkName("model name", name);
    checkName("folder", opts.folder);
    const what = `model ${opts.folder}/${name}`;
    const fingerprint = await this.deps.fingerprint();
    const small = await this.deps.api.getResource(opts.folder, smallPartName(name), fingerprint);
    const { manifest, head } = unpackSmallPart(small, `${what} (small part)`);
    if (manifest.name !== name || manifest.folder !== opts.folder)
      throw new IntegrityError(`${what}: the small part belongs to ${manifest.folder}/${manifest.name}`);
    if (head.length !== manifest.small.headBytes || sha256(head) !== manifest.small.headSha256)
      throw new IntegrityError(
        `${what}: the small part's encrypted head does not match its manifest (altered or truncated)`,
      );
    const big = await this.deps.cdnRead.getBuffer(manifest.big.key, {
      sha256: manifest.big.sha256,
      onProgress: (d, t) => opts.onProgress?.("download", d, t),
    });
    const envelope = Buffer.concat([head, big]);
    if (envelope.length !== manifest.envelope.size || sha256(envelope) !== manifest.envelope.sha256)
      throw new IntegrityError(
        `${what}: the reassembled parts do not match the manifest's SHA-256 (a part was swapped or altered)`,
      );
    const model = decryptBuffer(envelope, this.deps.modelKey, what);
    if (model.length !== manifest.plain.size || sha256(model) !== manifest.plain.sha256)
      throw new IntegrityError(`${what}: the decrypted model does not match the manifest's SHA-256`);
    return { model, manifest };
  }

  /** The decrypted model only (for inference and export callers). */
  async loadProtectedModel(name: string, opts: TransferOptions): Promise<Buffer> {
    return (await this.downloadAndDecrypt(name, opts)).model;
  }
}

function checkName(what: string, value: string): void {
  const r = resourceNameSchema.safeParse(value);
  if (!r.success) throw new UsageError(`${what} ${JSON.stringify(value)}: ${r.error.issues[0]?.message}`);
}
