import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src-workers/**/*.test.ts", "tests/**/*.test.ts"],
    // Integration tests spawn the CLI and encode images: give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "./tests/support/summary-reporter.ts"],
    globalSetup: ["./tests/support/global-setup.ts"],
    pool: "forks",
  },
});
