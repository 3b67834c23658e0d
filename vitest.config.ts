import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Rebuilds dist/ first when it is older than src/: tests that run the built package never see a stale one.
    globalSetup: ["test/build-fresh.ts"],
    testTimeout: 120_000,
    pool: "forks",
  },
});
