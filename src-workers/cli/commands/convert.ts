// Placeholder until the convert command lands in this session (being written now).
import type { Command } from "commander";
import type { CliContext } from "../context.js";

export function registerConvert(_program: Command, _ctx: CliContext): void {}
