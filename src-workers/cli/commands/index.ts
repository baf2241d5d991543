/** Every subcommand of `azaion`, one module each. */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { registerAugment } from "./augment.js";
import { registerConvert } from "./convert.js";
import { registerExport } from "./export.js";
import { registerInfer } from "./infer.js";
import { registerInfo } from "./info.js";
import { registerModel } from "./model.js";
import { registerPlatform } from "./platform.js";
import { registerPredict } from "./predict.js";
import { registerQueue } from "./queue.js";
import { registerServe } from "./serve.js";
import { registerSynth } from "./synth.js";
import { registerTrain, registerVal } from "./train.js";
import { registerValidate } from "./validate.js";
import { registerStats } from "./stats.js";
import { registerSplit } from "./split.js";
import { registerVisualise } from "./visualise.js";
import { registerWeights } from "./weights.js";

export function registerCommands(program: Command, ctx: CliContext): void {
  registerSynth(program, ctx);
  registerValidate(program, ctx);
  registerAugment(program, ctx);
  registerStats(program, ctx);
  registerSplit(program, ctx);
  registerConvert(program, ctx);
  registerVisualise(program, ctx);
  registerTrain(program, ctx);
  registerVal(program, ctx);
  registerWeights(program, ctx);
  registerPredict(program, ctx);
  registerExport(program, ctx);
  registerInfer(program, ctx);
  registerInfo(program, ctx);
  registerPlatform(program, ctx);
  registerModel(program, ctx);
  registerQueue(program, ctx);
  registerServe(program, ctx);
}
