import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Both action bundles, built once per run from the current sources (tests never build or touch dist/).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // @actions/workflow-parser imports JSON without import attributes; inlining lets vite handle it.
    server: { deps: { inline: ['@actions/workflow-parser', '@actions/expressions'] } },
  },
});
