/**
 * `azaion convert`: COCO / Pascal VOC / LabelMe / CVAT annotations to YOLO labels, or YOLO to COCO.
 * The work is in data/convert; this file is options, help text and the closing summary.
 */
import { Option, type Command } from "commander";
import { emitJobEvent } from "../../host/event-sink.js";
import { UsageError } from "../../core/errors.js";
import { FROM_FORMATS, TO_FORMATS, type FromFormat, type ToFormat } from "../../data/convert/readers.js";
import { reportPath, summaryLines } from "../../data/convert/report.js";
import { runConvert } from "../../data/convert/run.js";
import type { CliContext } from "../context.js";

interface ConvertFlags {
  readonly from: FromFormat;
  readonly to: ToFormat;
  readonly out?: string;
  readonly mapping?: string;
  readonly mode?: string;
  readonly images?: string;
  readonly force?: boolean;
}

const HELP_AFTER = `
Input by format:
  coco     one COCO JSON file; images looked for beside it, then in images/ beside it
  voc      a folder of Pascal VOC .xml (or a VOC root holding Annotations/); images in ../JPEGImages,
           then beside the .xml. VOC pixels are 1-based inclusive: x1 = xmin - 1, x2 = xmax
  labelme  a folder of LabelMe .json (or one file); rectangles, and polygons as their bounding box
  cvat     one "CVAT for images 1.1" annotations.xml; boxes, and polygons as their bounding box;
           images in images/ beside it, then beside it
  yolo     a folder with images/ and labels/ (only --to coco)

Output:
  --to yolo  <out>/labels/<stem>.txt and <out>/images/<stem>.<ext> (hard link, else copy)
  --to coco  <out>/annotations.json (category id = slot id, name = "Class (Mode)") and <out>/images
  always     <out>/convert-report.json: counts, unmapped labels, problems, files written

Class names resolve case-insensitively to "Class (Mode)" or a base class in --mode; a --mapping
YAML file names the rest:
  default_mode: Norm
  classes:
    tank: ArmorVehicle
    person: "MilitaryMan (Night)"
    "snow truck": { class: Truck, mode: Wint }
    car: 2          # slot id
    tree: null      # skip on purpose
Objects with labels that match nothing are skipped and listed at the end.

Exit status: 0 converted cleanly (warnings allowed), 1 some input had errors (the rest converted),
2 wrong usage.`;

export function registerConvert(program: Command, ctx: CliContext): void {
  program
    .command("convert")
    .description("convert COCO, Pascal VOC, LabelMe or CVAT annotations to YOLO labels, or YOLO to COCO")
    .argument("<input>", "annotation file or folder to read (what it must be depends on --from; see below)")
    .addOption(
      new Option("--from <format>", "format of <input>").choices([...FROM_FORMATS]).makeOptionMandatory(),
    )
    .addOption(new Option("--to <format>", "format to write").choices([...TO_FORMATS]).default("yolo"))
    .option("-o, --out <dir>", "output folder (created if missing); required")
    .option("--mapping <file>", "YAML file mapping source label names to classes (see below)")
    .option(
      "--mode <mode>",
      "weather mode for labels that name only a base class: Norm, Wint or Night (default: the mapping's default_mode, else Norm)",
    )
    .option(
      "--images <dir>",
      "folder holding the source images (default: where the format keeps them, see below)",
    )
    .option(
      "--force",
      "overwrite existing labels (and annotations.json); without it they are reported and left alone",
      false,
    )
    .addHelpText("after", HELP_AFTER)
    .action(async (input: string, flags: ConvertFlags) => {
      if (flags.out === undefined || flags.out.trim() === "") throw new UsageError("--out <dir> is required");
      const log = ctx.problemLog();
      const report = await runConvert(
        {
          from: flags.from,
          to: flags.to,
          input,
          out: flags.out,
          ...(flags.mapping === undefined ? {} : { mapping: flags.mapping }),
          ...(flags.mode === undefined ? {} : { mode: flags.mode }),
          ...(flags.images === undefined ? {} : { images: flags.images }),
          force: flags.force === true,
        },
        { catalog: ctx.catalog(), log, progress: (label, total) => ctx.progress(label, total) },
      );
      for (const line of summaryLines(report)) ctx.out(line);
      emitJobEvent({ type: "result", paths: { out: report.out, report: reportPath(report.out) } });
      ctx.info(`report: ${reportPath(report.out)}`);
      ctx.summarise(log, "convert");
    });
}
