import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Integration files mostly wait on servers and child processes, so three run at once even on 2 cores.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: "unit",
          include: ["{lib,operator,worker,api,tools,bench}/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
