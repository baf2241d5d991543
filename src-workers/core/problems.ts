/**
 * Problems found in input data. Long jobs never stop at the first bad file: they record a
 * problem (file, line, field, message), go on with the other files and print a summary.
 */
export type Severity = "error" | "warning";

export interface Problem {
  readonly severity: Severity;
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
  readonly message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  const field = p.field === undefined ? "" : ` [${p.field}]`;
  return `${p.severity}: ${where}${field}: ${p.message}`;
}

/** Collects problems with bounded memory: counts all of them, keeps the first `keep` of each severity. */
export class ProblemLog {
  errors = 0;
  warnings = 0;
  readonly kept: Problem[] = [];
  private keptErrors = 0;
  private keptWarnings = 0;

  constructor(
    private readonly keep = 1000,
    private readonly onProblem?: (p: Problem) => void,
  ) {}

  add(p: Problem): void {
    if (p.severity === "error") {
      this.errors++;
      if (this.keptErrors++ < this.keep) this.kept.push(p);
    } else {
      this.warnings++;
      if (this.keptWarnings++ < this.keep) this.kept.push(p);
    }
    this.onProblem?.(p);
  }

  addAll(ps: Iterable<Problem>): void {
    for (const p of ps) this.add(p);
  }

  error(file: string, message: string, line?: number, field?: string): void {
    this.add({
      severity: "error",
      file,
      message,
      ...(line === undefined ? {} : { line }),
      ...(field === undefined ? {} : { field }),
    });
  }

  warning(file: string, message: string, line?: number, field?: string): void {
    this.add({
      severity: "warning",
      file,
      message,
      ...(line === undefined ? {} : { line }),
      ...(field === undefined ? {} : { field }),
    });
  }

  /** One line, e.g. "3 errors, 1 warning". */
  summary(): string {
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
    return `${plural(this.errors, "error")}, ${plural(this.warnings, "warning")}`;
  }
}
