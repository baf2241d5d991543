/**
 * `azaion`: the command line. Exit codes: 0 ok, 1 failure (including bad data found), 2 usage error.
 */
import { Command, CommanderError, Option } from "commander";
import { AzaionError, ConfigError, UsageError, errorMessage } from "../core/errors.js";
import { registerDemo } from "./commands/demo.js";
import { registerCommands } from "./commands/index.js";
import { CliContext } from "./context.js";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command("azaion")
    .description("Azaion Workstation: datasets, training, export and inference for YOLO11 aerial detectors")
    .version(process.env.npm_package_version ?? "0.1.0", "-V, --version", "print the version")
    .addOption(
      new Option("--config <file>", "configuration YAML (default: AZAION_CONFIG or config/default.yaml)"),
    )
    .addOption(new Option("--root <dir>", "data root (overrides the config's root and AZAION_ROOT)"))
    .addOption(new Option("-q, --quiet", "no progress bars or information lines"))
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  const ctx = new CliContext(program);
  registerCommands(program, ctx);
  // The demo runs the other subcommands, each on a fresh program of its own.
  registerDemo(program, ctx, (argv) => runCli(argv));
  for (const c of program.commands) c.exitOverride().showHelpAfterError("(run with --help for usage)");
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      if (err.exitCode === 0) return EXIT_OK;
      return EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`azaion: ${err.message}\n(run with --help for usage)\n`);
      return EXIT_USAGE;
    }
    if (err instanceof ConfigError || err instanceof AzaionError) {
      process.stderr.write(`azaion: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    process.stderr.write(`azaion: ${errorMessage(err)}\n`);
    if (process.env.AZAION_DEBUG) process.stderr.write(`${(err as Error).stack ?? ""}\n`);
    return EXIT_FAILURE;
  }
}
