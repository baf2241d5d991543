/**
 * What every command gets: lazily loaded config and class catalog, output helpers, progress bars
 * and a problem log that prints as it goes and sums up at the end.
 */
import type { Command } from "commander";
import { classCatalog, type ClassCatalog } from "../core/classes.js";
import { expandHome, loadConfig, type AzaionConfig } from "../core/config.js";
import { formatProblem, ProblemLog } from "../core/problems.js";
import { ProgressBar } from "./progress.js";

export interface GlobalOptions {
  readonly config?: string;
  readonly root?: string;
  readonly quiet?: boolean;
}

/** Problems printed one by one before the log only counts them. */
const PRINT_PROBLEMS = 200;

export class CliContext {
  private cachedConfig: AzaionConfig | undefined;

  constructor(private readonly program: Command) {}

  get globals(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  config(): AzaionConfig {
    if (this.cachedConfig) return this.cachedConfig;
    const g = this.globals;
    const cfg = loadConfig(g.config === undefined ? {} : { file: g.config });
    if (g.root !== undefined) cfg.root = expandHome(g.root);
    return (this.cachedConfig = cfg);
  }

  catalog(): ClassCatalog {
    return classCatalog();
  }

  /** Results go to stdout (so they can be piped); progress and problems go to stderr. */
  out(text: string): void {
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  info(text: string): void {
    if (!this.globals.quiet) process.stderr.write(`${clearLine()}${text}\n`);
  }

  progress(label: string, total?: number, unit?: string): ProgressBar {
    return new ProgressBar({
      label,
      ...(total === undefined ? {} : { total }),
      ...(unit ? { unit } : {}),
      quiet: this.globals.quiet === true,
    });
  }

  problemLog(): ProblemLog {
    let printed = 0;
    return new ProblemLog(1000, (p) => {
      if (printed < PRINT_PROBLEMS) process.stderr.write(`${clearLine()}${formatProblem(p)}\n`);
      else if (printed === PRINT_PROBLEMS)
        process.stderr.write(`${clearLine()}(further problems are counted, not printed)\n`);
      printed++;
    });
  }

  /** The closing summary of a job that read data; sets exit code 1 when errors were found. */
  summarise(log: ProblemLog, what: string): void {
    process.stderr.write(`${clearLine()}${what}: ${log.summary()}\n`);
    if (log.errors > 0) process.exitCode = 1;
  }
}

function clearLine(): string {
  return process.stderr.isTTY ? "\r\x1b[2K" : "";
}
