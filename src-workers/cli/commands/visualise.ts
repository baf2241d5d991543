// Placeholder until the visualise command lands in this session (being written now).
import type { Command } from "commander";
import type { CliContext } from "../context.js";

export function registerVisualise(_program: Command, _ctx: CliContext): void {}
