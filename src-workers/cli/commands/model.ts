/**
 * `azaion model upload` and `azaion model download`: protected models, encrypted and split
 * between the API (small part) and the CDN (big part). The work is in platform/model-store.ts.
 */
import { existsSync, statSync } from "node:fs";
import { rename, writeFile, unlink } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { OverwriteError, UsageError } from "../../core/errors.js";
import { loadSecrets } from "../../core/secrets.js";
import { modelStoreFromConfig } from "../../platform/connect.js";
import type { CliContext } from "../context.js";
import { stageBars } from "../transfer-progress.js";

const HELP_UPLOAD = `
The model is encrypted with AES-256-GCM in authenticated 1 MiB chunks under a key derived from the
secret model_key_secret (a fresh random salt per upload), then split: the first part of the
ciphertext (header, salt, first chunk; 1 % of the file, 64 KiB to 1 MiB) goes with a manifest
(sizes and SHA-256s) to the API, POST /resources/<folder>; the rest goes to the CDN as
<folder>/<name>.big (multipart, verified by ETag and SHA-256). Neither part alone opens the model.
Needs: api_password, model_key_secret, cdn_write_access_key, cdn_write_secret_key (README, "Secrets").`;

const HELP_DOWNLOAD = `
Downloads the small part from the API (served encrypted for this machine's hardware fingerprint)
and the big part from the CDN (read keys), checks both against the manifest's SHA-256s, reassembles
and decrypts in memory, and checks the model's SHA-256. With --out the model is written there
(through a temporary file, mode 0600); with --no-plain nothing is written: the model is only
verified, as an inference or export run that loads it from memory would.
Exit status: 0 verified, 1 a part is missing, altered or does not open with this key, 2 wrong usage.`;

export function registerModel(program: Command, ctx: CliContext): void {
  const model = program
    .command("model")
    .description("protected models: encrypted, split between the API and the CDN");
  model
    .command("upload <file>")
    .description("encrypt a model file and upload it in two parts (API + CDN)")
    .option("--name <name>", "the model's name (default: the file name without its extension)")
    .option("--folder <folder>", "API folder and CDN prefix (default: config api.models_folder)")
    .addHelpText("after", HELP_UPLOAD)
    .action(async (file: string, flags: { name?: string; folder?: string }) => {
      const path = resolve(file);
      if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`${file}: no such file`);
      const cfg = ctx.config();
      const store = modelStoreFromConfig(cfg, loadSecrets(), { write: true });
      const bars = stageBars(ctx);
      const m = await store.protectAndUpload(path, {
        ...(flags.name === undefined ? {} : { name: flags.name }),
        folder: flags.folder ?? cfg.api.models_folder,
        onProgress: bars.onProgress,
      });
      bars.finish();
      ctx.out(
        `uploaded ${m.folder}/${m.name}: ${m.plain.size} bytes, sha256 ${m.plain.sha256}\n` +
          `  small part: API ${m.folder}/${m.small.fileName} (${m.small.headBytes} bytes of ciphertext + manifest)\n` +
          `  big part:   CDN ${cfg.cdn.bucket}/${m.big.key} (${m.big.size} bytes, sha256 ${m.big.sha256})`,
      );
    });
  model
    .command("download <name>")
    .description("download, verify and decrypt a protected model")
    .option("--out <file>", "write the decrypted model to this file")
    .option("--no-plain", "write nothing: only download, verify and decrypt in memory")
    .option("--force", "overwrite --out when it exists")
    .option("--folder <folder>", "API folder and CDN prefix (default: config api.models_folder)")
    .addHelpText("after", HELP_DOWNLOAD)
    .action(
      async (name: string, flags: { out?: string; plain: boolean; force?: boolean; folder?: string }) => {
        if (flags.plain && flags.out === undefined)
          throw new UsageError("give --out FILE, or --no-plain to only verify");
        if (!flags.plain && flags.out !== undefined)
          throw new UsageError("choose one of --out and --no-plain");
        const out = flags.out === undefined ? undefined : resolve(flags.out);
        if (out && existsSync(out) && !flags.force) throw new OverwriteError(out);
        if (out && !existsSync(dirname(out)))
          throw new UsageError(`--out: folder ${dirname(out)} does not exist`);
        const cfg = ctx.config();
        const store = modelStoreFromConfig(cfg, loadSecrets(), { write: false });
        const bars = stageBars(ctx);
        const { model: bytes, manifest: m } = await store.downloadAndDecrypt(name, {
          folder: flags.folder ?? cfg.api.models_folder,
          onProgress: bars.onProgress,
        });
        bars.finish();
        if (out) {
          const tmp = `${out}.tmp-${process.pid}`;
          try {
            await writeFile(tmp, bytes, { mode: 0o600 });
            await rename(tmp, out);
          } catch (err) {
            await unlink(tmp).catch(() => undefined);
            throw err;
          }
        }
        ctx.out(
          `verified ${m.folder}/${m.name}: ${bytes.length} bytes, sha256 ${m.plain.sha256}` +
            (out ? `, written to ${out}` : ", not written (--no-plain)"),
        );
      },
    );
}
