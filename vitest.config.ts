import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** Tests that run a built bundle (an action through action.yml, or the CLI): they need the global setup's build. */
const INTEGRATION = [
  'test/**/*.integration.test.ts',
  'test/dispatch/action-yml.test.ts',
  'test/e2e/**/*.test.ts',
  'test/generator/cli.test.ts',
  'test/receive/{receive-action,seed-cases,trust}.test.ts',
  'test/receive-land/**/*.test.ts',
  'test/receive-api/**/*.test.ts',
];

// `npm test` runs both projects; `npm run test:unit` runs the fast one alone (no bundle build).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // @actions/workflow-parser imports JSON without import attributes; inlining lets vite handle it.
    server: { deps: { inline: ['@actions/workflow-parser', '@actions/expressions'] } },
    // One worker per core, at least two: most tests wait on child processes (git, the bundles), so the default
    // (cores - 1, one worker on two cores) leaves a core idle for much of the run.
    maxWorkers: Math.max(2, availableParallelism()),
    // Test files share a worker's modules instead of re-importing them per file (about a fifth of the suite's CPU).
    // So a test that changes global state restores it (vi.stubEnv + vi.unstubAllEnvs, vi.useRealTimers), and
    // per-file cleanups go in test/support/setup.ts, which runs before every file.
    isolate: false,
    setupFiles: ['test/support/setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: INTEGRATION } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION,
          // The action bundles and the CLI, built once per run from the current sources (tests never build or
          // touch a committed dist/).
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
