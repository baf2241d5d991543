// Placeholder until the synth command lands in this session (being written now).
import type { Command } from "commander";
import type { CliContext } from "../context.js";

export function registerSynth(_program: Command, _ctx: CliContext): void {}
