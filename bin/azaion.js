#!/usr/bin/env node
// The `azaion` command: runs the built CLI (npm run build writes dist/).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const main = join(root, "dist", "src-workers", "cli", "main.js");
if (!existsSync(main)) {
  process.stderr.write(`azaion is not built yet: run 'npm run build' in ${root}\n`);
  process.exit(1);
}
// `azaion stats | head` closes the pipe early: that is not a failure.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});
const { runCli } = await import(main);
process.exitCode = await runCli(process.argv.slice(2));
