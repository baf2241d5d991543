/** Build once before the tests, so CLI tests run the same dist/ a user runs. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export default function setup(): void {
  const root = join(import.meta.dirname, "..", "..");
  try {
    execFileSync(
      process.execPath,
      [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
      { cwd: root, stdio: "inherit" },
    );
  } catch (e) {
    // Several people editing one tree at once: tsc still emits, so a type error elsewhere need not
    // stop the tests of the part being worked on. CI never sets this (and type-checks first anyway).
    if (process.env.AZAION_TEST_BUILD !== "lenient") throw e;
    console.warn("[global-setup] tsc reported errors; going on (AZAION_TEST_BUILD=lenient)");
  }
}
