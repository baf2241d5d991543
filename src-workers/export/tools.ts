/**
 * Finding and running the external converters (TensorRT's trtexec, Python with tensorrt or
 * rknn-toolkit2): where they are looked for, the error that says what to install when they are not
 * there, and a runner that streams their output lines (for progress) and keeps the tail for errors.
 */
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { AzaionError } from "../core/errors.js";

/** A converter that is not installed: the message says what to install and how to point us at it. */
export class ToolMissingError extends AzaionError {
  constructor(message: string) {
    super(message, "E_TOOL_MISSING");
  }
}

/** A converter that ran and failed: the message carries the command and the end of its output. */
export class ToolFailedError extends AzaionError {
  constructor(message: string) {
    super(message, "E_TOOL_FAILED");
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, then in `extraDirs`; null when there is none. */
export function findExecutable(
  name: string,
  extraDirs: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const dirs = [...(env.PATH ?? "").split(delimiter).filter(Boolean), ...extraDirs];
  for (const d of dirs) {
    const p = join(d, name);
    if (executable(p)) return p;
  }
  return null;
}

/** Whether `python` can import `module`; the reason (its last error line) when it cannot. */
export function pythonImports(python: string, module: string): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync(python, ["-c", `import ${module}`], { encoding: "utf8", timeout: 120_000 });
  if (r.error) return { ok: false, reason: `${python}: ${r.error.message}` };
  if (r.status === 0) return { ok: true };
  const lines = (r.stderr ?? "").trim().split("\n");
  return { ok: false, reason: lines[lines.length - 1] ?? `exit code ${r.status}` };
}

export interface RunResult {
  readonly tail: string;
}

/**
 * Run a command to completion; each output line goes to `onLine`. A non-zero exit (or a failure to
 * start) throws ToolFailedError with the command line and the last lines of its output.
 */
export function runTool(
  argv: readonly string[],
  onLine: (line: string) => void = () => undefined,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new RangeError("runTool: empty command");
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ["ignore", "pipe", "pipe"],
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      env: { ...process.env, ...opts.env },
    });
    const tail: string[] = [];
    let partial = "";
    const take = (chunk: Buffer) => {
      const text = partial + chunk.toString("utf8");
      const lines = text.split(/\r?\n/);
      partial = lines.pop() ?? "";
      for (const l of lines) {
        tail.push(l);
        if (tail.length > 40) tail.shift();
        onLine(l);
      }
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (e) => reject(new ToolFailedError(`${cmd} could not start: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (partial !== "") {
        tail.push(partial);
        onLine(partial);
      }
      const text = tail.join("\n");
      if (code === 0) resolve({ tail: text });
      else
        reject(
          new ToolFailedError(
            `${quoteArgv(argv)} failed (${signal ? `signal ${signal}` : `exit code ${code}`}); its last output:\n${text}`,
          ),
        );
    });
  });
}

/** A command line as a shell would take it (for logs and the sidecar JSON). */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}
