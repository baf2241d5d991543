/**
 * `azaion platform fingerprint` (this machine's hardware fingerprint and what it is made of) and
 * `azaion platform login` (check the API credentials and the CDN keys that are set).
 */
import type { Command } from "commander";
import { errorMessage } from "../../core/errors.js";
import { loadSecrets } from "../../core/secrets.js";
import { apiFromConfig, cdnReaderFromConfig, cdnWriterFromConfig } from "../../platform/connect.js";
import { machineFingerprint } from "../../platform/fingerprint.js";
import type { CliContext } from "../context.js";

const HELP_FINGERPRINT = `
The fingerprint is a SHA-256 of the CPU model, the NVIDIA GPUs (nvidia-smi), the total RAM in GiB
and the serial number of the system disk; without a readable disk serial (containers, some virtual
machines) /etc/machine-id stands in for it. Resources the API serves to this machine are encrypted
with a key derived from your password and this fingerprint: they open here only.`;

const HELP_LOGIN = `
Logs in to the API (config api.url, api.email; secret api_password) and, for each CDN key pair
that is set, lists the bucket once (config cdn.*; secrets cdn_read_* and cdn_write_*).
Exit status: 0 every check passed, 1 one failed (the message says which and why).`;

export function registerPlatform(program: Command, ctx: CliContext): void {
  const platform = program
    .command("platform")
    .description("Azaion API and CDN: hardware fingerprint, credentials");
  platform
    .command("fingerprint")
    .description("print this machine's hardware fingerprint and its components")
    .option("--json", "one JSON object: hash, components, unavailable")
    .addHelpText("after", HELP_FINGERPRINT)
    .action(async (flags: { json?: boolean }) => {
      const f = await machineFingerprint();
      if (flags.json) return ctx.out(JSON.stringify(f));
      ctx.out(f.hash);
      for (const [k, v] of Object.entries(f.components)) ctx.out(`  ${k.padEnd(8)} ${v}`);
      for (const u of f.unavailable) ctx.info(`note: ${u}`);
    });
  platform
    .command("login")
    .description("check the API credentials and the CDN keys")
    .addHelpText("after", HELP_LOGIN)
    .action(async () => {
      const cfg = ctx.config();
      const secrets = loadSecrets();
      await apiFromConfig(cfg, secrets).login();
      ctx.out(`api: ok, logged in to ${cfg.api.url} as ${cfg.api.email}`);
      const checks: [string, boolean, () => Promise<void>][] = [
        ["read", secrets.cdn_read_access_key !== undefined, () => cdnReaderFromConfig(cfg, secrets).check()],
        [
          "write",
          secrets.cdn_write_access_key !== undefined,
          () => cdnWriterFromConfig(cfg, secrets).check(),
        ],
      ];
      for (const [role, set, check] of checks) {
        if (!set) {
          ctx.out(`cdn ${role} keys: not set`);
          continue;
        }
        try {
          await check();
          ctx.out(`cdn ${role} keys: ok (${cfg.cdn.endpoint}, bucket ${cfg.cdn.bucket})`);
        } catch (err) {
          ctx.out(`cdn ${role} keys: FAILED: ${errorMessage(err)}`);
          process.exitCode = 1;
        }
      }
    });
}
