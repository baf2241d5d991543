/**
 * `azaion weights import` (Ultralytics .pt -> our safetensors weights) and `azaion weights info`
 * (either kind of file). The work is in yolo/io; this file is options, checks and printing.
 */
import { existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { Command } from "commander";
import { OverwriteError, UsageError } from "../../core/errors.js";
import { readUltralyticsCheckpoint } from "../../yolo/io/pt-checkpoint.js";
import { importUltralytics, inspectWeights } from "../../yolo/io/weights.js";
import type { CliContext } from "../context.js";

interface ImportFlags {
  readonly out?: string;
  readonly force?: boolean;
}

const HELP_IMPORT = `
The .pt is read without running any of its code: only known PyTorch constructors are honoured,
Ultralytics classes are read as plain records. The model's weights (the EMA ones when saved) are
converted from float16 to float32; class names, scale, strides, training arguments and metrics go
into the file's metadata.

Exit status: 0 imported, 1 the checkpoint could not be read or written, 2 wrong usage.`;

const HELP_INFO = `
<file> is an Ultralytics .pt checkpoint or an Azaion weights file (.safetensors); which one is told
from its content.`;

const group = (n: number) => n.toLocaleString("en-US");

function namesLine(names: readonly string[]): string {
  const shown = names.slice(0, 10).join(", ");
  return names.length > 10 ? `${shown}, ... (${names.length - 10} more)` : shown;
}

function existingFile(path: string, what: string): string {
  if (!existsSync(path)) throw new UsageError(`${what} ${path} does not exist`);
  if (!statSync(path).isFile()) throw new UsageError(`${what} ${path} is not a file`);
  return path;
}

/** Safetensors: an 8-byte header length, then the JSON header. Anything else is taken for a .pt. */
function isSafetensors(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(9);
    return readSync(fd, head, 0, 9, 0) === 9 && head[8] === 0x7b;
  } finally {
    closeSync(fd);
  }
}

export function registerWeights(program: Command, ctx: CliContext): void {
  const weights = program
    .command("weights")
    .description(
      "import Ultralytics .pt checkpoints as Azaion weights (safetensors) and inspect weights files",
    );

  weights
    .command("import")
    .description("convert an Ultralytics YOLO11 detection checkpoint (.pt) into an Azaion weights file")
    .argument("<model.pt>", "Ultralytics checkpoint (e.g. best.pt)")
    .option(
      "-o, --out <file>",
      "weights file to write (default: beside the input, named <model>.safetensors)",
    )
    .option("--force", "overwrite --out if it exists", false)
    .addHelpText("after", HELP_IMPORT)
    .action(async (input: string, flags: ImportFlags) => {
      existingFile(input, "checkpoint");
      const out = flags.out ?? join(dirname(input), `${basename(input, extname(input))}.safetensors`);
      if (flags.out !== undefined && extname(out) !== ".safetensors")
        throw new UsageError(`--out ${out}: weights files are named .safetensors`);
      if (resolve(out) === resolve(input)) throw new UsageError(`--out ${out} would overwrite the input`);
      // The folder is created, as for every other output of azaion.
      mkdirSync(dirname(resolve(out)), { recursive: true });
      if (existsSync(out) && flags.force !== true) throw new OverwriteError(out);
      ctx.info(`reading ${input}`);
      const r = await importUltralytics(input, out);
      const m = r.meta;
      ctx.out(`imported ${input} -> ${r.out}`);
      ctx.out(`  source      ${m.source}`);
      ctx.out(`  scale       ${m.scale}`);
      ctx.out(`  nc          ${m.nc}`);
      ctx.out(`  names       ${namesLine(m.names)}`);
      ctx.out(`  params      ${group(r.parameters)} (${r.tensors} tensors, float32)`);
      ctx.out(`  strides     ${m.strides.join(", ")}; imgsz ${m.imgsz}`);
    });

  weights
    .command("info")
    .description(
      "print what a weights file or an Ultralytics .pt holds: metadata, tensors, parameters, dtypes",
    )
    .argument("<file>", "Azaion weights file (.safetensors) or Ultralytics checkpoint (.pt)")
    .option("--json", "print JSON instead of text")
    .addHelpText("after", HELP_INFO)
    .action(async (file: string, flags: { json?: boolean }) => {
      existingFile(file, "file");
      const info = isSafetensors(file) ? await weightsInfo(file) : ptInfo(file);
      if (flags.json) {
        ctx.out(JSON.stringify(info, null, 2));
        return;
      }
      ctx.out(`${file} (${info.kind})`);
      for (const [k, v] of Object.entries(info.summary)) ctx.out(`  ${k.padEnd(12)}${v}`);
    });
}

interface Info {
  readonly kind: string;
  readonly summary: Record<string, string>;
  readonly metadata: Record<string, unknown>;
}

function ptInfo(file: string): Info {
  const ck = readUltralyticsCheckpoint(file);
  try {
    let parameters = 0;
    let elements = 0;
    const dtypes = new Set<string>();
    for (const [k, t] of ck.stateDict) {
      elements += t.numel;
      if (ck.parameterKeys.has(k)) parameters += t.numel;
      dtypes.add(t.dtype);
    }
    const names = Object.keys(ck.names).map((k) => ck.names[Number(k)]!);
    return {
      kind: "Ultralytics checkpoint",
      summary: {
        model: `${ck.modelClass}, ultralytics ${ck.version ?? "?"}`,
        date: ck.date ?? "?",
        epoch: String(ck.epoch ?? "?"),
        fitness: String(ck.bestFitness ?? "-"),
        metrics: Object.keys(ck.trainMetrics).length ? JSON.stringify(ck.trainMetrics) : "-",
        scale: ck.scale ?? "?",
        nc: String(ck.nc),
        names: namesLine(names),
        strides: ck.stride.join(", "),
        tensors: `${ck.stateDict.size} (${group(elements)} values)`,
        params: group(parameters),
        dtype: [...dtypes].join(", "),
      },
      metadata: {
        modelClass: ck.modelClass,
        version: ck.version,
        date: ck.date,
        epoch: ck.epoch,
        bestFitness: ck.bestFitness,
        scale: ck.scale,
        nc: ck.nc,
        names: ck.names,
        stride: ck.stride,
        trainArgs: ck.trainArgs,
        trainMetrics: ck.trainMetrics,
        tensors: ck.stateDict.size,
        parameters,
        dtypes: [...dtypes],
      },
    };
  } finally {
    for (const t of ck.stateDict.values()) t.dispose();
  }
}

async function weightsInfo(file: string): Promise<Info> {
  const w = await inspectWeights(file);
  const m = w.meta;
  return {
    kind: `${m.format} v${m.formatVersion} weights`,
    summary: {
      task: m.task,
      source: m.source,
      date: m.date,
      written: `azaion ${m.version}`,
      scale: m.scale,
      nc: String(m.nc),
      names: namesLine(m.names),
      imgsz: String(m.imgsz),
      strides: m.strides.join(", "),
      metrics: Object.keys(m.metrics).length ? JSON.stringify(m.metrics) : "-",
      tensors: `${w.tensors} (${group(w.elements)} values)`,
      params: group(w.parameters),
      dtype: w.dtypes.join(", "),
    },
    metadata: { ...m, tensors: w.tensors, parameters: w.parameters, dtypes: w.dtypes },
  };
}
