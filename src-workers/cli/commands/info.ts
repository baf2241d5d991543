/** `azaion config` and `azaion classes`: what the engine will use, printed for people and scripts. */
import type { Command } from "commander";
import { stringify } from "yaml";
import { loadSecrets, SECRET_ENV, SECRET_KEYS } from "../../core/secrets.js";
import type { CliContext } from "../context.js";

export function registerInfo(program: Command, ctx: CliContext): void {
  program
    .command("config")
    .description(
      "print the effective configuration (file + AZAION_* overrides) and which secrets are set (never their values)",
    )
    .option("--json", "print JSON instead of YAML")
    .action((opts: { json?: boolean }) => {
      const config = ctx.config();
      const secrets = loadSecrets();
      const present = Object.fromEntries(
        SECRET_KEYS.map((k) => [k, secrets[k] === undefined ? `unset (${SECRET_ENV[k]})` : "set"]),
      );
      ctx.out(
        opts.json
          ? JSON.stringify({ config, secrets: present }, null, 2)
          : stringify({ ...config, secrets: present }),
      );
    });

  program
    .command("classes")
    .description(
      "print the class table: slot id, base class, weather mode, display name and colour of every used slot",
    )
    .option("--json", "print JSON instead of a table")
    .action((opts: { json?: boolean }) => {
      const catalog = ctx.catalog();
      const rows = catalog.usedIds().map((id) => {
        const s = catalog.slot(id);
        return { id, base: s.base.name, mode: s.mode.name, name: s.displayName, colour: s.base.colour };
      });
      if (opts.json) {
        ctx.out(JSON.stringify({ slots: catalog.slots, classes: rows }, null, 2));
        return;
      }
      const w = Math.max(...rows.map((r) => r.name.length));
      ctx.out(
        `${catalog.slots} slots, ${rows.length} used (id = base + ${catalog.modes.map((m) => `${m.name} ${m.offset}`).join(", ")})`,
      );
      for (const r of rows) ctx.out(`${String(r.id).padStart(3)}  ${r.name.padEnd(w)}  ${r.colour}`);
    });
}
