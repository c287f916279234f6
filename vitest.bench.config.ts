import { defineConfig } from 'vitest/config';

// `npm run bench` (bench/run.mjs) runs these after the plain .mjs benches: TypeScript benches that drive an action.yml
// through the composite harness of the tests, on bundles built from the current sources (the tests' global setup).
// One file at a time, so no bench measures another.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
    server: { deps: { inline: ['@actions/workflow-parser', '@actions/expressions'] } },
  },
});
