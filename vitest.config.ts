import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "src-workers/**/*.test.ts",
      "tests/**/*.test.ts",
      "src-main/**/*.test.ts",
      "src-renderer/**/*.test.ts",
      "e2e/**/*.test.ts",
    ],
    // Integration tests spawn the CLI and encode images while ~130 files run beside them on
    // 2 cores: a 40 s test alone has taken over 60 s in CI, so give them twice that.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ["default", "./tests/support/summary-reporter.ts"],
    globalSetup: ["./tests/support/global-setup.ts"],
    pool: "forks",
  },
});
